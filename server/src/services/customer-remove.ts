import type { Staff } from '@cache-doctor/shared';
import { readCustomerSnapshot } from '../adapters/customer-store';
import { readValues } from '../adapters/key-values';
import { diagnoseCustomerHealth } from '../domain/customer-health';
import { mappedCustomerIdOf } from '../domain/customer-owner';
import { planKeyRemoval, removableKeys, removalWrites } from '../domain/customer-remove-plan';
import { cachedCustomerView } from '../domain/customer-snapshot';
import { customerProblems, diagnoseCustomerSync } from '../domain/customer-sync';
import { planId } from '../domain/plan-id';
import { AppError } from '../lib/app-error';
import { requireConfirmedPlan } from './confirmed-plan';
import type { Services } from './container';
import { fetchMappedUpstream } from './customer-upstream';

/** How often the plan is made again when a key changed between the read and the commit. */
const REMOVE_ATTEMPTS = 3;

export interface RemoveOptions {
  /** the keys to delete (each must be named by a diagnosis); default: every removable key */
  keys?: string[] | undefined;
  dryRun: boolean;
  planId?: string | undefined;
  staff: Staff;
}

/** Every removable key the user's diagnosis names now, with the values they hold (one round trip). */
async function planNow(services: Services, userId: string, requested: string[] | undefined) {
  const { snapshot } = await readCustomerSnapshot(services.redis, services.keys, userId);
  const upstream = await fetchMappedUpstream(services, userId, mappedCustomerIdOf(snapshot));
  const sync = diagnoseCustomerSync({ userId, ...cachedCustomerView(snapshot), ...upstream });
  const problems = customerProblems(diagnoseCustomerHealth(snapshot), sync);
  const result = planKeyRemoval(removableKeys(snapshot, problems), requested);
  if (result.kind === 'not-removable')
    throw new AppError(
      'INVALID_REQUEST',
      `No diagnosis of ${userId} names ${result.keys.join(', ')} as removable; nothing was removed. Only legacy keys and the keys of an orphaned entry can be removed.`,
      { keys: result.keys },
    );
  if (result.kind === 'nothing-to-remove')
    throw new AppError(
      'ACTION_NOT_AVAILABLE',
      `Nothing of ${userId} can be removed: no legacy keys and no orphaned entry (the user exists in Clerk and their customer in Stripe).`,
    );
  const names = result.removable.map((entry) => entry.key);
  const current = new Map(Object.entries(await readValues(services.redis, names)));
  const writes = removalWrites(result.removable, current);
  const plan = writes.map(({ key, before, after }) => ({
    key,
    before,
    after,
    reason: result.removable.find((entry) => entry.key === key)?.reason ?? null,
  }));
  return { writes, plan, planId: planId({ action: 'remove', target: userId, writes }) };
}

/**
 * `POST /api/users/:userId/remove` (SPEC §3, §6.2): the listed keys deleted in one transaction with
 * their before-images in the audit entry (undo restores values and TTLs). A dry run writes nothing;
 * an apply carrying the `planId` of its preview writes exactly that plan or answers PLAN_CHANGED.
 */
export async function removeCustomerKeys(services: Services, userId: string, options: RemoveOptions) {
  for (let attempt = 1; attempt <= REMOVE_ATTEMPTS; attempt += 1) {
    const { writes, plan, planId: id } = await planNow(services, userId, options.keys);
    const preview = { plan, planId: id, applied: false, auditId: null as string | null };
    if (options.dryRun) return preview;
    requireConfirmedPlan(options.planId, preview);
    const result = await services.writer.commit({
      writes,
      audit: services.audit.draft(options.staff, {
        action: 'remove',
        target: userId,
        message: `Removed ${writes.length} key${writes.length === 1 ? '' : 's'} of ${userId}: ${writes.map((write) => write.key).join(', ')}.`,
      }),
    });
    if (result.kind === 'committed') return { ...preview, applied: true, auditId: result.entry?.id ?? null };
  }
  throw new AppError(
    'CONFLICT',
    'The keys kept changing while we removed them; nothing was removed. Try again.',
  );
}
