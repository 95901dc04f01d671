import type { Problem } from '@cache-doctor/shared';
import { normalizeEmail } from '../keys';
import { diagnoseCustomerHealth } from './customer-health';
import { type CustomerCacheSnapshot, cachedCustomerView, healthSnapshotRequest } from './customer-snapshot';
import { customerProblems, diagnoseCustomerSync } from './customer-sync';
import type { ClerkUserFacts, StripeCustomerFacts } from './upstream-facts';

/**
 * Which Stripe customer stands for a user (SPEC §2, §3), decided once for the single-user reads and
 * for the jobs' batches: the one the mapping names, else (no usable mapping) the newest live one
 * with the Clerk email; a refresh falls back to the email when the mapped one is gone. The lookup
 * answers from what was fetched; `undefined` means "not fetched yet" (the single-user read then
 * fetches it and asks again), null means Stripe has none.
 *
 * One difference of the batch, documented: Stripe's customer list leaves deleted customers out,
 * so there a mapping to a deleted customer looks like a mapping to an unknown one. Both are
 * STRIPE_CUSTOMER_NOT_FOUND and a refresh can do nothing for either; only the wording differs.
 */

export interface StripeLookup {
  byId(customerId: string): StripeCustomerFacts | null | undefined;
  byEmail(email: string): StripeCustomerFacts | null | undefined;
}

export const emailKey = (email: string) => normalizeEmail(email);

export const mappedCustomerIdOf = (snapshot: CustomerCacheSnapshot): string | null =>
  healthSnapshotRequest(snapshot.userId, { mapping: snapshot.mapping?.raw }).customerId ?? null;

/** The customer the sync view compares against. */
export function syncCustomer(
  /** the customer id the user's mapping names (`mappedCustomerIdOf`) */
  mapped: string | null,
  clerk: ClerkUserFacts | null,
  stripe: StripeLookup,
): StripeCustomerFacts | null | undefined {
  if (mapped) return stripe.byId(mapped);
  return clerk?.primaryEmail ? stripe.byEmail(clerk.primaryEmail) : null;
}

/** The customer a refresh caches: the mapped one while Stripe still has it, else the live one by email. */
export function refreshedCustomer(
  mapped: string | null,
  clerk: ClerkUserFacts | null,
  stripe: StripeLookup,
): StripeCustomerFacts | null | undefined {
  const viaMapping = syncCustomer(mapped, clerk, stripe);
  if (!mapped || viaMapping === undefined || (viaMapping && !viaMapping.deleted)) return viaMapping;
  const byEmail = clerk?.primaryEmail ? stripe.byEmail(clerk.primaryEmail) : null;
  if (byEmail === undefined) return undefined;
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

/** Health and sync of one user from a batch's readings, as one list of problems. */
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
    stripe: syncCustomer(mappedCustomerIdOf(snapshot), clerk, stripe) ?? null,
  });
  const problems = customerProblems(health, sync);
  return {
    userId: snapshot.userId,
    problems,
    broken: problems.some((problem) => problem.severity === 'error'),
    outOfSync: !sync.inSync,
  };
}
