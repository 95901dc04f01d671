import type { UserJSON } from '@clerk/backend';
import type Stripe from 'stripe';
import { clerkJsonFacts } from '../adapters/clerk-facts';
import { limitedCall, UpstreamRateLimiter } from '../adapters/rate-limiter';
import { stripeCustomerFacts } from '../adapters/stripe-facts';
import type { ClerkUserFacts, StripeCustomerFacts } from '../domain/upstream-facts';
import { OWN_KEYS } from '../keys';
import type { Services } from './container';
import type { CreatedRange } from './created-ranges';

/**
 * Batched upstream reads for jobs (SPEC §4): pages of 100 Stripe customers with their
 * subscriptions expanded and pages of 500 Clerk users — never a call per user for a sweep or a
 * rebuild. Every call waits for the shared limiter (all workers together stay under Stripe's and
 * Clerk's limits), is retried on 429 after `Retry-After` and backed off on 5xx, and is metered.
 * The SDKs' own retries are off here: a retry they made on their own would bypass the limiter.
 */

export const STRIPE_PAGE_SIZE = 100;
export const CLERK_PAGE_SIZE = 500;
/** Clerk production instances: 1,000 requests per 10 seconds. */
export const CLERK_LIMIT = { requests: 1000, windowMs: 10_000 } as const;

export interface BatchUpstream {
  stripeLimiter: UpstreamRateLimiter;
  clerkLimiter: UpstreamRateLimiter;
  /** the newest customer's `created`, or null when Stripe has none */
  stripeNewest(): Promise<number | null>;
  /** true when a customer exists created before `before` (unix seconds) */
  stripeAnyBefore(before: number): Promise<boolean>;
  /** one page of live customers in `[gte, lt)`, newest first, after the cursor */
  stripePage(
    range: { gte: number; lt: number },
    startingAfter: string | null,
  ): Promise<ListPage<StripeCustomerFacts>>;
  clerkCount(): Promise<number>;
  /** users ordered by creation, oldest first: stable pages while users sign up meanwhile */
  clerkPage(offset: number, limit: number): Promise<ClerkUserFacts[]>;
  /** up to 100 users by id in one call; absent ids are users Clerk does not have */
  clerkUsersById(userIds: readonly string[]): Promise<ClerkUserFacts[]>;
  /** one customer with its subscriptions (bulk refresh of a short list): null when Stripe has none */
  stripeCustomer(customerId: string): Promise<StripeCustomerFacts | null>;
  /** the newest live customer with this email */
  stripeCustomerByEmail(email: string): Promise<StripeCustomerFacts | null>;
  /** one page (`limit`, default 100) of completed checkout sessions created in the range, newest first */
  completedCheckoutPage(
    range: CreatedRange,
    startingAfter: string | null,
    limit?: number,
  ): Promise<ListPage<Stripe.Checkout.Session>>;
  /** one page of events since `gte` whose webhook delivery has not succeeded, newest first */
  failedEventsPage(gte: number, startingAfter: string | null): Promise<ListPage<Stripe.Event>>;
}

export interface ListPage<T> {
  data: T[];
  hasMore: boolean;
  /** the cursor for the next page */
  last: string | null;
}

const NO_RETRIES = { maxNetworkRetries: 0 } as const;

const listPage = <T extends { id: string }>(page: Stripe.ApiList<T>): ListPage<T> => ({
  data: page.data,
  hasMore: page.has_more,
  last: page.data.at(-1)?.id ?? null,
});

const isMissing = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  ((error as { statusCode?: unknown }).statusCode === 404 || (error as { status?: unknown }).status === 404);

export function createBatchUpstream(services: Services): BatchUpstream {
  const { config, keys, meter, ownRedis: redis } = services;
  const stripe = services.stripe.client;
  const clerk = services.clerk.client;
  const timeout = config.upstreamTimeoutMs;
  const stripeLimiter = new UpstreamRateLimiter(
    redis,
    keys.own(OWN_KEYS.stripeRequestRate),
    { requests: config.stripe.maxRps, windowMs: 1000 },
    timeout,
  );
  const clerkLimiter = new UpstreamRateLimiter(
    redis,
    keys.own(OWN_KEYS.clerkRequestRate),
    CLERK_LIMIT,
    timeout,
  );
  const viaStripe = <T>(call: () => Promise<T>) =>
    limitedCall(stripeLimiter, () => meter.measure('stripe', timeout, call));
  const viaClerk = <T>(call: () => Promise<T>) =>
    limitedCall(clerkLimiter, () => meter.measure('clerk', timeout, call));

  /**
   * `GET /v1/users` itself: the SDK's `getUserList` also fetches the total count with every page,
   * which would double the calls a sweep makes to Clerk.
   */
  const clerkBase = `${(config.clerk.apiUrl ?? 'https://api.clerk.com').replace(/\/$/, '')}/v1`;
  const clerkList = async (query: URLSearchParams): Promise<ClerkUserFacts[]> => {
    const response = await fetch(`${clerkBase}/users?${query}`, {
      headers: { authorization: `Bearer ${config.clerk.secretKey}` },
      signal: AbortSignal.timeout(timeout),
    });
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw Object.assign(new Error(`Clerk answered ${response.status} to GET /v1/users`), {
        status: response.status,
        clerkError: true,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 && { retryAfter }),
      });
    }
    return ((await response.json()) as UserJSON[]).map(clerkJsonFacts);
  };

  /** The embedded list holds up to 10; a customer with more needs its own list call (rare). */
  const withSubscriptions = async (customer: Stripe.Customer | Stripe.DeletedCustomer) => {
    if (customer.deleted) return stripeCustomerFacts(customer, []);
    const embedded = customer.subscriptions;
    if (embedded && !embedded.has_more) return stripeCustomerFacts(customer, embedded.data);
    // a page per call: each request takes its own place in the limiter
    const all: Stripe.Subscription[] = [];
    for (let after: string | undefined; ; ) {
      const page = await viaStripe(() =>
        stripe.subscriptions.list(
          { customer: customer.id, status: 'all', limit: 100, ...(after && { starting_after: after }) },
          NO_RETRIES,
        ),
      );
      all.push(...page.data);
      after = page.data.at(-1)?.id;
      if (!page.has_more || after === undefined) break;
    }
    // the customer's own list leaves canceled subscriptions out; so does this view
    return stripeCustomerFacts(
      customer,
      all.filter((subscription) => subscription.status !== 'canceled'),
    );
  };

  return {
    stripeLimiter,
    clerkLimiter,
    async stripeNewest() {
      const page = await viaStripe(() => stripe.customers.list({ limit: 1 }, NO_RETRIES));
      return page.data[0]?.created ?? null;
    },
    async stripeAnyBefore(before) {
      const page = await viaStripe(() =>
        stripe.customers.list({ limit: 1, created: { lt: before } }, NO_RETRIES),
      );
      return page.data.length > 0;
    },
    async stripePage(range, startingAfter) {
      const page = await viaStripe(() =>
        stripe.customers.list(
          {
            limit: STRIPE_PAGE_SIZE,
            created: { gte: range.gte, lt: range.lt },
            expand: ['data.subscriptions'],
            ...(startingAfter && { starting_after: startingAfter }),
          },
          NO_RETRIES,
        ),
      );
      return { ...listPage(page), data: await Promise.all(page.data.map(withSubscriptions)) };
    },
    clerkCount: () => viaClerk(() => clerk.users.getCount()),
    async clerkPage(offset, limit) {
      const query = new URLSearchParams({
        limit: String(limit),
        offset: String(offset),
        order_by: '+created_at',
      });
      return viaClerk(() => clerkList(query));
    },
    async clerkUsersById(userIds) {
      if (userIds.length === 0) return [];
      const query = new URLSearchParams({ limit: String(Math.min(500, userIds.length)) });
      for (const userId of userIds) query.append('user_id', userId);
      return viaClerk(() => clerkList(query));
    },
    async stripeCustomer(customerId) {
      try {
        const customer = await viaStripe(() =>
          stripe.customers.retrieve(customerId, { expand: ['subscriptions'] }, NO_RETRIES),
        );
        return withSubscriptions(customer);
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async stripeCustomerByEmail(email) {
      const page = await viaStripe(() =>
        stripe.customers.list({ email, limit: 10, expand: ['data.subscriptions'] }, NO_RETRIES),
      );
      const newest = page.data.toSorted((a, b) => b.created - a.created)[0];
      return newest ? withSubscriptions(newest) : null;
    },
    async completedCheckoutPage(range, startingAfter, limit = STRIPE_PAGE_SIZE) {
      const page = await viaStripe(() =>
        stripe.checkout.sessions.list(
          {
            status: 'complete',
            created: { gte: range.gte, ...(range.lt !== undefined && { lt: range.lt }) },
            limit,
            ...(startingAfter && { starting_after: startingAfter }),
          },
          NO_RETRIES,
        ),
      );
      return listPage(page);
    },
    async failedEventsPage(gte, startingAfter) {
      const page = await viaStripe(() =>
        stripe.events.list(
          {
            delivery_success: false,
            created: { gte },
            limit: STRIPE_PAGE_SIZE,
            ...(startingAfter && { starting_after: startingAfter }),
          },
          NO_RETRIES,
        ),
      );
      return listPage(page);
    },
  };
}
