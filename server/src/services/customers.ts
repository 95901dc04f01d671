import type { Staff } from '@cache-doctor/shared';
import { readCustomerKeys, readCustomerSnapshot } from '../adapters/customer-store';
import { jsonRecordOrNull } from '../domain/cached-value';
import { checkKvSync } from '../domain/customer-check-kv-sync';
import { diagnoseCustomerHealth } from '../domain/customer-health';
import { mappedCustomerIdOf } from '../domain/customer-owner';
import { customerFieldsFromUpstream } from '../domain/customer-record';
import { plannedChanges, planRefresh, type RefreshPlanResult } from '../domain/customer-refresh-plan';
import { type CustomerCacheSnapshot, cachedCustomerView } from '../domain/customer-snapshot';
import { diagnoseCustomerSync } from '../domain/customer-sync';
import { planId } from '../domain/plan-id';
import { isLiveCustomer } from '../domain/upstream-facts';
import { AppError } from '../lib/app-error';
import { requireConfirmedPlan } from './confirmed-plan';
import type { Services } from './container';
import {
  fetchClerkAndMappedStripe,
  fetchMappedUpstream,
  fetchRefreshUpstream,
  type UpstreamFacts,
} from './customer-upstream';

const userNotFound = (userId: string) =>
  new AppError('USER_NOT_FOUND', `No user ${userId} in Clerk and nothing cached for it.`);

const holdsAnything = (snapshot: CustomerCacheSnapshot) =>
  snapshot.mapping?.raw != null || snapshot.legacyKeys.length > 0;

/** `GET /api/users/:userId/health` — Redis alone; Clerk is asked only to tell "unknown user" from "nothing cached". */
export async function getCustomerHealth(services: Services, userId: string) {
  const { snapshot, keys } = await readCustomerSnapshot(services.redis, services.keys, userId);
  if (!holdsAnything(snapshot) && !(await services.clerk.getUser(userId))) throw userNotFound(userId);
  return { ...diagnoseCustomerHealth(snapshot), keys };
}

/** `GET /api/users/:userId/sync` — the cache against Clerk and Stripe, fetched in parallel. */
export async function getCustomerSync(services: Services, userId: string) {
  const { snapshot } = await readCustomerSnapshot(services.redis, services.keys, userId);
  const upstream = await fetchMappedUpstream(services, userId, mappedCustomerIdOf(snapshot));
  if (!upstream.clerk && !holdsAnything(snapshot)) throw userNotFound(userId);
  return diagnoseCustomerSync({ userId, ...cachedCustomerView(snapshot), ...upstream });
}

/**
 * The sync view right after a refresh wrote: Redis read again, Clerk and Stripe as the refresh has
 * just read them (asked again only if the cache now names another customer). The user page shows
 * it instead of asking Clerk and Stripe a third time for the same facts.
 */
async function syncAfterRefresh(services: Services, userId: string, upstream: UpstreamFacts) {
  const { snapshot } = await readCustomerSnapshot(services.redis, services.keys, userId);
  const facts = await fetchMappedUpstream(services, userId, mappedCustomerIdOf(snapshot), upstream);
  return diagnoseCustomerSync({ userId, ...cachedCustomerView(snapshot), ...facts });
}

/** `GET /api/user/check-kv-sync` — the app's own endpoint and rules, booleans always. */
export async function getKvSyncCheck(services: Services, userId: string) {
  const { snapshot } = await readCustomerSnapshot(services.redis, services.keys, userId);
  // the app's rule: Stripe is asked for the mapped customer only, never found by email
  const upstream = await fetchClerkAndMappedStripe(services, userId, mappedCustomerIdOf(snapshot));
  return checkKvSync({ userId, snapshot, ...upstream });
}

/**
 * `GET /api/users/:userId/customer` — the customer as the app reads it: mapping → id → record. When
 * the cache misses, or Redis is down, Stripe answers instead, and the answer says which.
 */
export async function getCustomerForApp(services: Services, userId: string) {
  let customerId: string | null = null;
  try {
    const { snapshot } = await readCustomerSnapshot(services.redis, services.keys, userId);
    customerId = mappedCustomerIdOf(snapshot);
    const record = customerId ? jsonRecordOrNull(snapshot.customer?.raw) : null;
    if (record) return { source: 'cache' as const, customer: record };
  } catch {
    // Redis unreachable: the app would fall back to Stripe, and so do we.
  }
  const upstream = await fetchRefreshUpstream(services, userId, customerId);
  if (!isLiveCustomer(upstream.stripe)) {
    if (!upstream.clerk) throw userNotFound(userId);
    throw new AppError('CUSTOMER_NOT_FOUND', `User ${userId} has no Stripe customer.`);
  }
  return {
    source: 'stripe' as const,
    customer: customerFieldsFromUpstream(userId, upstream.clerk, upstream.stripe, Date.now()),
  };
}

/** How often a refresh re-reads and re-plans when a concurrent writer changed the keys. */
const REFRESH_ATTEMPTS = 3;
/** The customer record can name an old email to clean up, which needs one more read. */
const MAX_EXTRA_READS = 2;

/** Plans from a snapshot, reading the further keys the plan asks for (the record can name an old email). */
async function planFrom(
  services: Services,
  userId: string,
  upstream: UpstreamFacts,
  read: CustomerCacheSnapshot,
): Promise<RefreshPlanResult> {
  let snapshot = read;
  let plan = planRefresh({ userId, ...upstream, current: snapshot, keys: services.keys, now: Date.now() });
  for (let round = 0; plan.kind === 'snapshot-incomplete' && round < MAX_EXTRA_READS; round += 1) {
    ({ snapshot } = await readCustomerKeys(services.redis, services.keys, plan.request));
    plan = planRefresh({ userId, ...upstream, current: snapshot, keys: services.keys, now: Date.now() });
  }
  return plan;
}

/**
 * `POST /api/users/:userId/refresh` (SPEC §3): the full plan from Clerk + Stripe, applied in one
 * WATCH/MULTI with its audit entry. A concurrent writer makes it re-read and re-plan; if one keeps
 * winning, 409 — never an interleaved half.
 */
export async function refreshCustomer(
  services: Services,
  userId: string,
  options: { dryRun: boolean; planId?: string; staff: Staff },
) {
  // Upstream first: if Stripe or Clerk fails, this throws before anything is written.
  let { snapshot } = await readCustomerSnapshot(services.redis, services.keys, userId);
  const upstream = await fetchRefreshUpstream(services, userId, mappedCustomerIdOf(snapshot));
  if (!upstream.clerk && !upstream.stripe && !holdsAnything(snapshot)) throw userNotFound(userId);

  for (let attempt = 1; attempt <= REFRESH_ATTEMPTS; attempt += 1) {
    // The first attempt plans from the read above; a write since then makes the commit stale.
    if (attempt > 1) ({ snapshot } = await readCustomerSnapshot(services.redis, services.keys, userId));
    const plan = await planFrom(services, userId, upstream, snapshot);
    if (plan.kind === 'snapshot-incomplete') break;
    if (plan.kind === 'nothing-to-cache') throw new AppError('NOTHING_TO_CACHE', plan.message);
    if (plan.kind === 'customer-of-another-user') throw new AppError('CONFLICT', plan.message, plan);
    const changes = plannedChanges(plan);
    const body = changes.map(({ key, before, after, unchanged }) => ({ key, before, after, unchanged }));
    const id = planId({ action: 'refresh', target: userId, writes: changes });
    // only the time of the refresh would change: not worth a write (nor an audit entry)
    const upToDate = changes.every((change) => change.unchanged);
    const preview = { plan: body, planId: id, upToDate, applied: false, auditId: null };
    if (options.dryRun) return preview;
    requireConfirmedPlan(options.planId, preview);
    if (upToDate) return preview;
    const result = await services.writer.commit({
      writes: changes,
      audit: services.audit.draft(options.staff, {
        action: 'refresh',
        target: userId,
        message: `Refreshed the cache of ${userId} from Stripe customer ${plan.customerId}.`,
      }),
    });
    if (result.kind === 'committed') {
      const sync = await syncAfterRefresh(services, userId, upstream);
      return { ...preview, applied: true, auditId: result.entry?.id ?? null, sync };
    }
  }
  throw new AppError(
    'CONFLICT',
    'The cache kept changing while we refreshed it; nothing was written. Try again.',
  );
}
