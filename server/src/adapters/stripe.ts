import Stripe from 'stripe';
import type { Config } from '../config';
import type { UpstreamMeter } from '../lib/upstream-meter';
import { INTERACTIVE_RETRY, withRetries } from './rate-limiter';

/**
 * The real Stripe SDK, pointed at `STRIPE_API_BASE` when set (a sandbox), else at Stripe itself.
 * Its own retries are off: it never retries a 429 and ignores `Retry-After`, so `withRetries`
 * does all retrying, the same way for every caller.
 */
export function createStripeClient(config: Config['stripe'], timeoutMs: number): Stripe {
  const base = config.apiBase ? new URL(config.apiBase) : undefined;
  return new Stripe(config.secretKey, {
    timeout: timeoutMs,
    maxNetworkRetries: 0,
    telemetry: false,
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      protocol: base.protocol === 'https:' ? 'https' : 'http',
    }),
  });
}

export interface StripeCustomerWithSubscriptions {
  customer: Stripe.Customer | Stripe.DeletedCustomer;
  subscriptions: Stripe.Subscription[];
}

export interface StripeGateway {
  readonly client: Stripe;
  readonly mode: 'test' | 'live';
  /** null when Stripe has no such customer; a deleted customer is returned as such */
  getCustomer(customerId: string): Promise<StripeCustomerWithSubscriptions | null>;
  /** the newest live customer with that email, or null */
  findCustomerByEmail(email: string): Promise<StripeCustomerWithSubscriptions | null>;
  getCheckoutSession(sessionId: string): Promise<Stripe.Checkout.Session | null>;
  /**
   * One page (the newest 100) of each list a customer's story needs: never more, so a timeline
   * costs a fixed number of calls however long the customer's history.
   */
  customerHistory: {
    checkoutSessions(filter: { customer: string } | { email: string }): Promise<Stripe.Checkout.Session[]>;
    subscriptions(customer: string): Promise<Stripe.Subscription[]>;
    invoices(customer: string): Promise<Stripe.Invoice[]>;
    /** events about checkout sessions created in a window (unix seconds), newest first */
    checkoutEvents(range: { gte: number; lte: number }): Promise<Stripe.Event[]>;
  };
  /** null when Stripe has no such event */
  getEvent(eventId: string): Promise<Stripe.Event | null>;
  /** Reachability probe for /api/status: the cheapest authenticated read there is. */
  probe(): Promise<void>;
}

/** Stripe's largest page: a customer's story reads one page of each list. */
const HISTORY_PAGE = 100;

const isMissing = (error: unknown) => error instanceof Stripe.errors.StripeError && error.statusCode === 404;

async function orNull<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

export function createStripeGateway(
  config: Config['stripe'],
  meter: UpstreamMeter,
  timeoutMs: number,
): StripeGateway {
  const client = createStripeClient(config, timeoutMs);
  const measure = <T>(call: () => Promise<T>) =>
    withRetries(() => meter.measure('stripe', timeoutMs, call), INTERACTIVE_RETRY);

  /** The embedded list holds the first page; a customer with more subscriptions needs the list call. */
  const withSubscriptions = async (
    customer: Stripe.Customer | Stripe.DeletedCustomer,
  ): Promise<StripeCustomerWithSubscriptions> => {
    if (customer.deleted) return { customer, subscriptions: [] };
    const embedded = customer.subscriptions;
    if (embedded && !embedded.has_more) return { customer, subscriptions: embedded.data };
    const all = await measure(() =>
      client.subscriptions
        .list({ customer: customer.id, status: 'all', limit: 100 })
        .autoPagingToArray({ limit: 1000 }),
    );
    return { customer, subscriptions: all };
  };

  return {
    client,
    mode: config.mode,
    async getCustomer(customerId) {
      const customer = await measure(() =>
        orNull(client.customers.retrieve(customerId, { expand: ['subscriptions'] })),
      );
      return customer ? withSubscriptions(customer) : null;
    },
    async findCustomerByEmail(email) {
      const page = await measure(() =>
        client.customers.list({ email, limit: 10, expand: ['data.subscriptions'] }),
      );
      const newest = page.data.toSorted((a, b) => b.created - a.created)[0];
      return newest ? withSubscriptions(newest) : null;
    },
    getCheckoutSession: (sessionId) => measure(() => orNull(client.checkout.sessions.retrieve(sessionId))),
    customerHistory: {
      checkoutSessions: (filter) =>
        measure(() =>
          client.checkout.sessions.list({
            limit: HISTORY_PAGE,
            ...('customer' in filter
              ? { customer: filter.customer }
              : { customer_details: { email: filter.email } }),
          }),
        ).then((page) => page.data),
      subscriptions: (customer) =>
        measure(() => client.subscriptions.list({ customer, status: 'all', limit: HISTORY_PAGE })).then(
          (page) => page.data,
        ),
      invoices: (customer) =>
        measure(() => client.invoices.list({ customer, limit: HISTORY_PAGE })).then((page) => page.data),
      checkoutEvents: (created) =>
        measure(() => client.events.list({ type: 'checkout.session.*', created, limit: HISTORY_PAGE })).then(
          (page) => page.data,
        ),
    },
    getEvent: (eventId) => measure(() => orNull(client.events.retrieve(eventId))),
    // One try: the status page reports the upstream as it is right now.
    probe: () =>
      meter.measure('stripe', timeoutMs, () => client.customers.list({ limit: 1 })).then(() => undefined),
  };
}
