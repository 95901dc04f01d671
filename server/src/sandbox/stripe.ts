import { randomBytes } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type Stripe from 'stripe';
import { z } from 'zod';
import {
  type CreatedRange,
  isMissingCursor,
  type MissingCursor,
  type OrderedIndex,
  type Page,
} from './ordered-index';
import { createdParam, intParam, parseBracketed, stringList } from './params';
import { listShape } from './stripe-shapes';
import { type CustomerFields, customerIdOf, type StripeStore } from './stripe-store';
import { bearerToken, type ErrorStyle } from './upstream';

/**
 * The part of Stripe's REST API that Cache Doctor uses, answering in Stripe's wire shapes so the
 * real `stripe` SDK parses it: list envelopes with a correct `has_more`, `expand[]`, and errors
 * as `{ error: { type, code, message, param } }` with Stripe's HTTP statuses.
 */

interface StripeErrorBody {
  type: 'invalid_request_error' | 'api_error';
  message: string;
  code?: string;
  param?: string;
}

function stripeError(
  c: Context,
  status: ContentfulStatusCode,
  error: StripeErrorBody,
  headers?: Record<string, string>,
) {
  const body = {
    ...error,
    ...(error.code && { doc_url: `https://stripe.com/docs/error-codes/${error.code.replaceAll('_', '-')}` }),
  };
  return c.json({ error: body }, status, { 'request-id': requestId(), ...headers });
}

const requestId = () => `req_${randomBytes(7).toString('hex')}`;

export const stripeErrors: ErrorStyle = {
  rateLimited: (c, retryAfterSeconds) =>
    stripeError(
      c,
      429,
      {
        type: 'invalid_request_error',
        code: 'rate_limit',
        message:
          'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
      },
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  serverError: (c, status) =>
    stripeError(c, status as ContentfulStatusCode, {
      type: 'api_error',
      message: 'An unknown error occurred while processing your request (sandbox fault).',
    }),
  notFound: (c) =>
    stripeError(c, 404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${c.req.method}: ${c.req.path}). The sandbox implements only what Cache Doctor uses.`,
    }),
};

const noSuch = (c: Context, kind: string, id: string, param = 'id') =>
  stripeError(c, 404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${kind}: '${id}'`,
    param,
  });

/** Validates Stripe-style parameters; the first problem becomes Stripe's 400 with its `param`. */
function parseParams<S extends z.ZodType>(
  c: Context,
  schema: S,
  raw: Record<string, unknown>,
): { ok: true; data: z.output<S> } | { ok: false; response: Response } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  const unknown = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  // Stripe names nested parameters as sent: `created[gte]`, `metadata[userId]`.
  const [head = '', ...rest] = issue?.path.map(String) ?? [];
  const param = unknown ?? head + rest.map((segment) => `[${segment}]`).join('');
  const message = unknown
    ? `Received unknown parameter: ${unknown} (Stripe may accept it; the sandbox does not implement it)`
    : `Invalid ${param}: ${issue?.message ?? 'invalid value'}`;
  return { ok: false, response: stripeError(c, 400, { type: 'invalid_request_error', message, param }) };
}

const query = (c: Context) => parseBracketed(new URL(c.req.url).searchParams);
const form = async (c: Context) => parseBracketed(new URLSearchParams(await c.req.text()));

const listParams = {
  limit: intParam(1, 100).optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
  created: createdParam.optional(),
  expand: stringList.optional(),
};

const customerFields = {
  email: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  phone: z.string().optional(),
  metadata: z.union([z.literal(''), z.record(z.string(), z.string())]).optional(),
  expand: stringList.optional(),
};

/** Stripe sends an empty string to unset a field. */
const toCustomerFields = (params: z.output<z.ZodObject<typeof customerFields>>): CustomerFields => {
  const fields: CustomerFields = {};
  for (const key of ['email', 'name', 'description', 'phone'] as const) {
    const value = params[key];
    if (value !== undefined) fields[key] = value === '' ? null : value;
  }
  if (params.metadata !== undefined) fields.metadata = params.metadata;
  return fields;
};

/** Stripe's default subscription list leaves out canceled ones; `ended` adds expired incomplete ones. */
function subscriptionStatusFilter(status: string | undefined): (s: Stripe.Subscription) => boolean {
  if (status === 'all') return () => true;
  if (status === 'ended') return (s) => s.status === 'canceled' || s.status === 'incomplete_expired';
  if (status) return (s) => s.status === status;
  return (s) => s.status !== 'canceled';
}

/** `type=checkout.session.*` matches by prefix, as Stripe's event filter does. */
function eventTypeFilter(pattern: string): (e: Stripe.Event) => boolean {
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return (e) => e.type.startsWith(prefix);
  }
  return (e) => e.type === pattern;
}

/** The same `limit`/cursor/`created` handling for every list endpoint. */
function pageOf<T>(
  index: OrderedIndex<T>,
  params: { limit?: number; starting_after?: string; ending_before?: string; created?: CreatedRange },
  filter?: (item: T) => boolean,
): Page<T> | MissingCursor {
  return index.pageNewestFirst({
    limit: params.limit ?? 10,
    startingAfter: params.starting_after,
    endingBefore: params.ending_before,
    range: params.created,
    filter,
  });
}

export interface StripeRoutesOptions {
  store: StripeStore;
  /** when set, only this key is accepted; otherwise any `sk_`/`rk_` key */
  secretKey?: string | undefined;
}

export function createStripeRoutes({ store, secretKey }: StripeRoutesOptions): Hono {
  /** Stripe embeds at most 10 subscriptions on a customer, the current ones, with `has_more` for the rest. */
  const embedSubscriptions = (customer: Stripe.Customer): Stripe.Customer => {
    const page = store
      .subscriptionsOf(customer.id)
      .pageNewestFirst({ limit: 10, filter: subscriptionStatusFilter(undefined) });
    if (isMissingCursor(page)) return customer;
    return {
      ...customer,
      subscriptions: listShape(`/v1/customers/${customer.id}/subscriptions`, page.data, page.hasMore),
    };
  };

  const list = <T>(
    c: Context,
    url: string,
    page: Page<T> | MissingCursor,
    kind: string,
    map: (item: T) => unknown = (x) => x,
  ) => {
    if (isMissingCursor(page)) {
      const param = c.req.query('ending_before') === page.missingCursor ? 'ending_before' : 'starting_after';
      return noSuch(c, kind, page.missingCursor, param);
    }
    return c.json(listShape(url, page.data.map(map), page.hasMore), 200, { 'request-id': requestId() });
  };

  const ok = (c: Context, body: unknown) => c.json(body, 200, { 'request-id': requestId() });

  return (
    new Hono()
      .use('/v1/*', async (c, next) => {
        const key = bearerToken(c);
        if (!key) {
          return stripeError(c, 401, {
            type: 'invalid_request_error',
            message:
              "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
          });
        }
        const shapeOk = /^(sk|rk)_(test|live)_\w+$/.test(key);
        if (!shapeOk || (secretKey !== undefined && key !== secretKey)) {
          return stripeError(c, 401, {
            type: 'invalid_request_error',
            message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
          });
        }
        return next();
      })

      // ---- customers
      .get('/v1/customers', (c) => {
        const p = parseParams(
          c,
          z.strictObject({ ...listParams, email: z.string().optional(), test_clock: z.string().optional() }),
          query(c),
        );
        if (!p.ok) return p.response;
        const source = p.data.email !== undefined ? store.customersWithEmail(p.data.email) : store.customers;
        const expand = p.data.expand?.includes('data.subscriptions') ?? false;
        return list(
          c,
          '/v1/customers',
          pageOf(source, p.data),
          'customer',
          expand ? embedSubscriptions : undefined,
        );
      })
      .post('/v1/customers', async (c) => {
        const p = parseParams(c, z.strictObject(customerFields), await form(c));
        if (!p.ok) return p.response;
        const customer = store.createCustomer(toCustomerFields(p.data));
        return ok(c, p.data.expand?.includes('subscriptions') ? embedSubscriptions(customer) : customer);
      })
      .get('/v1/customers/:id', (c) => {
        const p = parseParams(c, z.strictObject({ expand: stringList.optional() }), query(c));
        if (!p.ok) return p.response;
        const customer = store.getCustomer(c.req.param('id'));
        if (!customer) return noSuch(c, 'customer', c.req.param('id'));
        // A deleted customer answers 200 with the bare deleted marker, whatever was expanded.
        if (customer.deleted) return ok(c, customer);
        return ok(c, p.data.expand?.includes('subscriptions') ? embedSubscriptions(customer) : customer);
      })
      .post('/v1/customers/:id', async (c) => {
        const p = parseParams(c, z.strictObject(customerFields), await form(c));
        if (!p.ok) return p.response;
        const customer = store.updateCustomer(c.req.param('id'), toCustomerFields(p.data));
        if (!customer) return noSuch(c, 'customer', c.req.param('id'));
        return ok(c, p.data.expand?.includes('subscriptions') ? embedSubscriptions(customer) : customer);
      })
      .delete('/v1/customers/:id', (c) => {
        const deleted = store.deleteCustomer(c.req.param('id'));
        return deleted ? ok(c, deleted) : noSuch(c, 'customer', c.req.param('id'));
      })

      // ---- subscriptions
      .get('/v1/subscriptions', (c) => {
        const p = parseParams(
          c,
          z.strictObject({ ...listParams, customer: z.string().optional(), status: z.string().optional() }),
          query(c),
        );
        if (!p.ok) return p.response;
        const source =
          p.data.customer !== undefined ? store.subscriptionsOf(p.data.customer) : store.subscriptions;
        return list(
          c,
          '/v1/subscriptions',
          pageOf(source, p.data, subscriptionStatusFilter(p.data.status)),
          'subscription',
        );
      })
      .get('/v1/subscriptions/:id', (c) => {
        const subscription = store.subscriptions.get(c.req.param('id'));
        return subscription ? ok(c, subscription) : noSuch(c, 'subscription', c.req.param('id'));
      })

      // ---- checkout sessions
      .get('/v1/checkout/sessions', (c) => {
        const p = parseParams(
          c,
          z.strictObject({
            ...listParams,
            status: z.enum(['open', 'complete', 'expired']).optional(),
            customer: z.string().optional(),
            customer_details: z.strictObject({ email: z.string() }).optional(),
            payment_intent: z.string().optional(),
          }),
          query(c),
        );
        if (!p.ok) return p.response;
        const { status, customer, payment_intent } = p.data;
        // Stripe matches `customer_details[email]` exactly, as typed at checkout
        const email = p.data.customer_details?.email;
        const filter =
          status || customer || payment_intent || email
            ? (s: Stripe.Checkout.Session) =>
                (!status || s.status === status) &&
                (!customer || customerIdOf(s.customer) === customer) &&
                (!email || s.customer_details?.email === email) &&
                (!payment_intent ||
                  (typeof s.payment_intent === 'string' ? s.payment_intent : s.payment_intent?.id) ===
                    payment_intent)
            : undefined;
        return list(
          c,
          '/v1/checkout/sessions',
          pageOf(store.checkoutSessions, p.data, filter),
          'checkout.session',
        );
      })
      .get('/v1/checkout/sessions/:id', (c) => {
        const session = store.checkoutSessions.get(c.req.param('id'));
        return session ? ok(c, session) : noSuch(c, 'checkout.session', c.req.param('id'), 'session');
      })

      // ---- invoices
      .get('/v1/invoices', (c) => {
        const p = parseParams(
          c,
          z.strictObject({ ...listParams, customer: z.string().optional(), status: z.string().optional() }),
          query(c),
        );
        if (!p.ok) return p.response;
        const { customer, status } = p.data;
        const filter =
          customer || status
            ? (i: Stripe.Invoice) =>
                (!customer || customerIdOf(i.customer) === customer) && (!status || i.status === status)
            : undefined;
        return list(c, '/v1/invoices', pageOf(store.invoices, p.data, filter), 'invoice');
      })

      // ---- events
      .get('/v1/events', (c) => {
        const p = parseParams(
          c,
          z.strictObject({
            ...listParams,
            type: z.string().optional(),
            types: stringList.optional(),
            delivery_success: z.enum(['true', 'false']).optional(),
          }),
          query(c),
        );
        if (!p.ok) return p.response;
        const { type, types, delivery_success } = p.data;
        const typeFilters = [...(type ? [type] : []), ...(types ?? [])].map(eventTypeFilter);
        // An event whose webhooks have not all been delivered keeps `pending_webhooks` above zero;
        // that is what `delivery_success=false` selects (failed or still retrying).
        const delivered = delivery_success === undefined ? undefined : delivery_success === 'true';
        const filter =
          typeFilters.length > 0 || delivered !== undefined
            ? (e: Stripe.Event) =>
                (typeFilters.length === 0 || typeFilters.some((f) => f(e))) &&
                (delivered === undefined || (e.pending_webhooks === 0) === delivered)
            : undefined;
        return list(c, '/v1/events', pageOf(store.events, p.data, filter), 'event');
      })
      .get('/v1/events/:id', (c) => {
        const event = store.events.get(c.req.param('id'));
        return event ? ok(c, event) : noSuch(c, 'event', c.req.param('id'));
      })
  );
}
