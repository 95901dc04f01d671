import { clerkUserFacts } from '../adapters/clerk-facts';
import { stripeCustomerFacts } from '../adapters/stripe-facts';
import { refreshedCustomer, syncCustomer } from '../domain/customer-owner';
import type { ClerkUserFacts, StripeCustomerFacts } from '../domain/upstream-facts';
import type { Services } from './container';
import { fetchAsDecided, type StripeFetcher } from './stripe-lookup';

/**
 * One user's Clerk user and Stripe customer, in one round of parallel calls where the rules allow:
 * Clerk and the mapped customer together; Stripe is asked by the Clerk email only when the rule of
 * `domain/customer-owner.ts` needs it (no mapping; or, for a refresh, the mapped one is gone).
 */

export interface UpstreamFacts {
  clerk: ClerkUserFacts | null;
  stripe: StripeCustomerFacts | null;
}

const stripeFetcher = (services: Services): StripeFetcher => ({
  async byId(customerId) {
    const found = await services.stripe.getCustomer(customerId);
    return found ? stripeCustomerFacts(found.customer, found.subscriptions) : null;
  },
  async byEmail(email) {
    const found = await services.stripe.findCustomerByEmail(email);
    return found ? stripeCustomerFacts(found.customer, found.subscriptions) : null;
  },
});

async function clerkFacts(services: Services, userId: string): Promise<ClerkUserFacts | null> {
  const user = await services.clerk.getUser(userId);
  return user ? clerkUserFacts(user) : null;
}

/** Clerk's user and the Stripe customer the cache points at (the app's own rule: never by email). */
export async function fetchClerkAndMappedStripe(
  services: Services,
  userId: string,
  customerId: string | null,
): Promise<UpstreamFacts> {
  const [clerk, stripe] = await Promise.all([
    clerkFacts(services, userId),
    customerId ? stripeFetcher(services).byId(customerId) : Promise.resolve(null),
  ]);
  return { clerk, stripe };
}

async function fetchByRule(
  services: Services,
  userId: string,
  customerId: string | null,
  rule: typeof syncCustomer,
  known?: UpstreamFacts,
): Promise<UpstreamFacts> {
  const fetcher = stripeFetcher(services);
  const knownCustomer = known?.stripe ?? null;
  const byId = (id: string) => (knownCustomer?.id === id ? Promise.resolve(knownCustomer) : fetcher.byId(id));
  // the mapped customer is asked for beside Clerk; anything else the rule asks for comes after
  const [clerk, mapped] = await Promise.all([
    known ? Promise.resolve(known.clerk) : clerkFacts(services, userId),
    customerId ? byId(customerId) : Promise.resolve(null),
  ]);
  const { decision } = await fetchAsDecided(
    { byId: (id) => (id === customerId ? Promise.resolve(mapped) : byId(id)), byEmail: fetcher.byEmail },
    (lookup) => rule(customerId, clerk, lookup),
    { ids: customerId ? [customerId] : [] },
  );
  return { clerk, stripe: decision ?? null };
}

/**
 * Clerk and the customer the sync view compares against. `known`: what this request has just
 * read (a refresh re-reading its result), asked again only for a customer it does not hold.
 */
export const fetchMappedUpstream = (
  services: Services,
  userId: string,
  customerId: string | null,
  known?: UpstreamFacts,
) => fetchByRule(services, userId, customerId, syncCustomer, known);

/** Clerk and the customer a refresh caches. */
export const fetchRefreshUpstream = (services: Services, userId: string, customerId: string | null) =>
  fetchByRule(services, userId, customerId, refreshedCustomer);
