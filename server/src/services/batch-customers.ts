import type { Problem } from '@cache-doctor/shared';
import type { PlannedWrite } from '../adapters/atomic-write';
import { diagnoseCustomerHealth } from '../domain/customer-health';
import { plannedChanges, planRefresh, type RefreshPlanResult } from '../domain/customer-refresh-plan';
import {
  type CustomerCacheSnapshot,
  type CustomerKeyRequest,
  cachedCustomerView,
  healthSnapshotRequest,
} from '../domain/customer-snapshot';
import { customerProblems, diagnoseCustomerSync } from '../domain/customer-sync';
import type { ClerkUserFacts, StripeCustomerFacts } from '../domain/upstream-facts';
import type { Keys } from '../keys';
import { normalizeEmail } from '../keys';

/**
 * The single-user diagnosis and refresh (SPEC §2, §3) applied to a batch: the same pure domain
 * functions, fed from batched reads instead of per-user calls. Which Stripe customer stands for
 * a user follows `customer-reads.ts` exactly: the one the mapping names, else (no usable mapping)
 * the newest live one with the Clerk email; a refresh falls back to the email when the mapped one
 * is gone.
 *
 * One difference, documented: Stripe's customer list leaves deleted customers out, so a mapping
 * to a deleted customer looks like a mapping to an unknown one. Both are STRIPE_CUSTOMER_NOT_FOUND
 * and a refresh can do nothing for either; only the wording ("deleted" / "does not exist") differs.
 */

export interface StripeLookup {
  byId(customerId: string): StripeCustomerFacts | null;
  byEmail(email: string): StripeCustomerFacts | null;
}

export const mappedCustomerIdOf = (snapshot: CustomerCacheSnapshot): string | null =>
  healthSnapshotRequest(snapshot.userId, { mapping: snapshot.mapping?.raw }).customerId ?? null;

/** The customer the sync view compares against (`fetchMappedUpstream`). */
export function syncCustomer(
  snapshot: CustomerCacheSnapshot,
  clerk: ClerkUserFacts | null,
  stripe: StripeLookup,
): StripeCustomerFacts | null {
  const mapped = mappedCustomerIdOf(snapshot);
  if (mapped) return stripe.byId(mapped);
  return clerk?.primaryEmail ? stripe.byEmail(clerk.primaryEmail) : null;
}

/** The customer a refresh caches (`fetchRefreshUpstream`). */
export function refreshCustomer(
  snapshot: CustomerCacheSnapshot,
  clerk: ClerkUserFacts | null,
  stripe: StripeLookup,
): StripeCustomerFacts | null {
  const mapped = mappedCustomerIdOf(snapshot);
  const viaMapping = syncCustomer(snapshot, clerk, stripe);
  if (!mapped || (viaMapping && !viaMapping.deleted)) return viaMapping;
  const byEmail = clerk?.primaryEmail ? stripe.byEmail(clerk.primaryEmail) : null;
  return byEmail?.deleted === false ? byEmail : viaMapping;
}

export interface UserDiagnosis {
  userId: string;
  problems: Problem[];
  /** an error-level problem anywhere */
  broken: boolean;
  /** the sync view says out of sync (feeds the sync-failure metric) */
  outOfSync: boolean;
}

export function diagnoseUser(
  snapshot: CustomerCacheSnapshot,
  clerk: ClerkUserFacts | null,
  stripe: StripeLookup,
): UserDiagnosis {
  const health = diagnoseCustomerHealth(snapshot);
  const sync = diagnoseCustomerSync({
    userId: snapshot.userId,
    ...cachedCustomerView(snapshot),
    clerk,
    stripe: syncCustomer(snapshot, clerk, stripe),
  });
  const problems = customerProblems(health, sync);
  return {
    userId: snapshot.userId,
    problems,
    broken: problems.some((problem) => problem.severity === 'error'),
    outOfSync: !sync.inSync,
  };
}

export type BatchPlan =
  | { kind: 'writes'; userId: string; customerId: string; writes: PlannedWrite[]; changed: boolean }
  | { kind: 'skip'; userId: string; message: string }
  | { kind: 'incomplete'; userId: string; request: CustomerKeyRequest };

/** One user's refresh plan from the batch's readings, in the atomic writer's terms. */
export function planUserRefresh(
  keys: Keys,
  snapshot: CustomerCacheSnapshot,
  clerk: ClerkUserFacts | null,
  stripe: StripeCustomerFacts | null,
  now: number,
): BatchPlan {
  const userId = snapshot.userId;
  const plan: RefreshPlanResult = planRefresh({ userId, clerk, stripe, current: snapshot, keys, now });
  if (plan.kind === 'snapshot-incomplete') return { kind: 'incomplete', userId, request: plan.request };
  if (plan.kind !== 'plan') return { kind: 'skip', userId, message: plan.message };
  const changes = plannedChanges(plan);
  return {
    kind: 'writes',
    userId,
    customerId: plan.customerId,
    writes: changes.map(({ key, before, after, ttlSeconds }) => ({ key, before, after, ttlSeconds })),
    changed: changes.some((change) => !change.unchanged),
  };
}

export const emailKey = (email: string) => normalizeEmail(email);
