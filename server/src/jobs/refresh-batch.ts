import type { JobUserResult, PlannedWrite } from '@cache-doctor/shared';
import { mappedCustomerIdOf, refreshedCustomer } from '../domain/customer-owner';
import { plannedChanges, planRefresh } from '../domain/customer-refresh-plan';
import type { CustomerCacheSnapshot, CustomerKeyRequest } from '../domain/customer-snapshot';
import type { BatchInput, BatchOutcome, JobContext } from './batch-task';
import { resultBase } from './batch-task';
import { jobActor } from './store';

/**
 * A refresh job's batch (rebuild, bulk refresh): every user's single-user refresh plan from the
 * batch's readings, joined into one write. A plan that names keys the batch did not read (a new
 * subscription, an old email) gets them read, all users at once, up to three rounds.
 */

type UserPlan =
  | { kind: 'writes'; userId: string; writes: PlannedWrite[]; changedKeys: string[] }
  | { kind: 'skip'; userId: string; reason: string; message: string }
  | { kind: 'incomplete'; userId: string; request: CustomerKeyRequest };

const MAX_READ_ROUNDS = 3;

async function refreshPlans(context: JobContext, input: BatchInput): Promise<UserPlan[]> {
  const { userIds, snapshots, facts } = input;
  const now = Date.now();
  const plans = new Map<string, UserPlan>();
  const current = new Map(snapshots);
  const clerkOf = (userId: string) => facts.clerk.get(userId) ?? null;
  const customers = new Map(
    userIds.map((userId) => [
      userId,
      refreshedCustomer(
        mappedCustomerIdOf(snapshots.get(userId) as CustomerCacheSnapshot),
        clerkOf(userId),
        facts.lookup,
      ) ?? null,
    ]),
  );
  let pending = [...userIds];
  for (let round = 0; round < MAX_READ_ROUNDS && pending.length > 0; round += 1) {
    const incomplete: Extract<UserPlan, { kind: 'incomplete' }>[] = [];
    for (const userId of pending) {
      const plan = planRefresh({
        userId,
        clerk: clerkOf(userId),
        stripe: customers.get(userId) ?? null,
        current: current.get(userId) as CustomerCacheSnapshot,
        keys: context.services.keys,
        now,
      });
      const changes = plan.kind === 'plan' ? plannedChanges(plan) : [];
      const planned: UserPlan =
        plan.kind === 'snapshot-incomplete'
          ? { kind: 'incomplete', userId, request: plan.request }
          : plan.kind === 'plan'
            ? {
                kind: 'writes',
                userId,
                writes: changes.map(({ unchanged: _, ...write }) => write),
                changedKeys: changes.filter((change) => !change.unchanged).map((change) => change.key),
              }
            : {
                kind: 'skip',
                userId,
                reason: plan.kind === 'nothing-to-cache' ? plan.reason : plan.kind,
                message: plan.message,
              };
      plans.set(userId, planned);
      if (planned.kind === 'incomplete') incomplete.push(planned);
    }
    if (incomplete.length === 0) break;
    const reread = await context.reader.readRequests(incomplete.map((plan) => plan.request));
    for (const [userId, snapshot] of reread) current.set(userId, snapshot);
    pending = incomplete.map((plan) => plan.userId);
  }
  return userIds.map((userId) => plans.get(userId) as UserPlan);
}

export async function refreshOutcome(context: JobContext, input: BatchInput): Promise<BatchOutcome> {
  const { record, batch } = input;
  const writes: PlannedWrite[] = [];
  const results: JobUserResult[] = [];
  const claimed = new Set<string>();
  let refreshed = 0;
  for (const plan of await refreshPlans(context, input)) {
    const base = resultBase(input, plan.userId);
    if (plan.kind === 'skip')
      results.push({ ...base, outcome: 'skipped', reason: plan.reason, message: plan.message });
    else if (plan.kind === 'incomplete') {
      results.push({ ...base, outcome: 'failed', message: 'The cache kept changing while it was read.' });
    } else if (plan.writes.some((write) => claimed.has(write.key))) {
      results.push({
        ...base,
        outcome: 'failed',
        message: 'Shares a cache key with another user of the same batch; refresh this user on their own.',
      });
    } else {
      for (const write of plan.writes) claimed.add(write.key);
      writes.push(...plan.writes);
      refreshed += 1;
      results.push({ ...base, outcome: 'refreshed', changedKeys: plan.changedKeys });
    }
  }
  if (writes.length === 0) return { writes, audit: null, results };
  const audit = context.services.audit.draft(jobActor(record), {
    action: record.type,
    target: `job:${record.id}`,
    jobId: record.id,
    message: `Batch ${batch + 1} of ${record.batches} of job ${record.id}: refreshed ${refreshed} users from Stripe.`,
  });
  // each refreshed user's changes are one click away on the Jobs page: their batch's entry
  return {
    writes,
    audit,
    results: results.map((result) =>
      result.outcome === 'refreshed' ? { ...result, auditId: audit.id } : result,
    ),
  };
}
