import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './index';
import {
  testCheckoutSession,
  testCustomer,
  testDataset,
  testDeletedCustomer,
  testEvent,
  testSubscription,
} from './test-data';

const T = 1_760_000_000;

/** 250 customers; every fifth shares its creation second with the previous one, as seeded data does. */
const customers = Array.from({ length: 250 }, (_, i) =>
  testCustomer({
    id: `cus_list${String(i).padStart(4, '0')}`,
    created: T + i - (i % 5 === 0 && i > 0 ? 1 : 0),
    email: i === 7 || i === 8 ? 'twin@example.com' : `c${i}@example.com`,
    metadata: { userId: `user_list${i}` },
  }),
);
const withSubs = customers[3] as Stripe.Customer;
const subscriptions = [
  ...Array.from({ length: 12 }, (_, i) =>
    testSubscription({ customer: withSubs.id, id: `sub_many${i}`, created: T + i }),
  ),
  testSubscription({ customer: withSubs.id, id: 'sub_canceled', status: 'canceled', created: T + 100 }),
  testSubscription({ customer: 'cus_list0008', id: 'sub_twin', created: T }),
];
const sessions = [
  testCheckoutSession({ id: 'cs_test_paidOld', status: 'complete', created: T - 10_000 }),
  testCheckoutSession({ id: 'cs_test_paidNew', status: 'complete', created: T + 10 }),
  testCheckoutSession({ id: 'cs_test_open', status: 'open', created: T + 20 }),
  testCheckoutSession({ id: 'cs_test_expired', status: 'expired', created: T + 30 }),
];
const events = [
  testEvent({
    id: 'evt_failed',
    type: 'checkout.session.completed',
    object: { id: 'cs_test_paidNew', object: 'checkout.session' },
    pending_webhooks: 1,
    created: T + 11,
  }),
  testEvent({
    id: 'evt_ok',
    type: 'checkout.session.completed',
    object: { id: 'cs_test_paidOld', object: 'checkout.session' },
    created: T + 12,
  }),
  testEvent({
    id: 'evt_failedOther',
    type: 'customer.updated',
    object: { id: 'cus_list0001', object: 'customer' },
    pending_webhooks: 2,
    created: T + 13,
  }),
];
const dataset = testDataset({
  stripeCustomers: [...customers, testDeletedCustomer('cus_gone')],
  stripeSubscriptions: subscriptions,
  checkoutSessions: sessions,
  events,
});

let sandbox: Sandbox;
let stripe: Stripe;

const clientFor = (url: string, key = 'sk_test_sandbox') => {
  const { hostname, port } = new URL(url);
  return new Stripe(key, {
    host: hostname,
    port: Number(port),
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
  });
};

beforeAll(async () => {
  sandbox = await startSandbox({ dataset });
  stripe = clientFor(sandbox.stripeUrl);
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset({ data: true }));

describe('Stripe sandbox: customers', () => {
  it('auto-paginates 250 customers newest first, each exactly once, with has_more ending it', async () => {
    const all = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((c) => c.id)).size).toBe(250);
    for (let i = 1; i < all.length; i++)
      expect((all[i - 1] as Stripe.Customer).created).toBeGreaterThanOrEqual(
        (all[i] as Stripe.Customer).created,
      );
    expect(all[0]?.id).toBe('cus_list0249');
    expect(sandbox.counters.stripe.route('GET /v1/customers')).toBe(3);
  });

  it('iterates with for await and pages backwards with ending_before', async () => {
    const seen: string[] = [];
    for await (const customer of stripe.customers.list({ limit: 40 })) seen.push(customer.id);
    expect(seen).toHaveLength(250);

    const oldest = seen.at(-1) as string;
    const newer = await stripe.customers
      .list({ limit: 30, ending_before: oldest })
      .autoPagingToArray({ limit: 10_000 });
    expect(newer).toHaveLength(249);
    expect(new Set(newer.map((c) => c.id)).size).toBe(249);
  });

  it('filters by created range and by email, and expands data.subscriptions', async () => {
    const ranged = await stripe.customers.list({ limit: 100, created: { gte: T + 10, lt: T + 20 } });
    expect(ranged.data.every((c) => c.created >= T + 10 && c.created < T + 20)).toBe(true);
    expect(ranged.data.length).toBeGreaterThan(0);
    expect(ranged.has_more).toBe(false);

    const twins = await stripe.customers.list({ email: 'twin@example.com', expand: ['data.subscriptions'] });
    expect(twins.data.map((c) => c.id)).toEqual(['cus_list0008', 'cus_list0007']);
    expect(twins.data[0]?.subscriptions?.data.map((s) => s.id)).toEqual(['sub_twin']);
    expect(twins.data[1]?.subscriptions?.data).toEqual([]);
  });

  it('retrieves with expanded subscriptions: current ones only, ten at most, has_more beyond', async () => {
    const customer = await stripe.customers.retrieve(withSubs.id, { expand: ['subscriptions'] });
    if (customer.deleted) throw new Error('expected a live customer');
    expect(customer.email).toBe(withSubs.email);
    expect(customer.metadata.userId).toBe('user_list3');
    expect(customer.subscriptions?.object).toBe('list');
    expect(customer.subscriptions?.data).toHaveLength(10);
    expect(customer.subscriptions?.has_more).toBe(true);
    expect(customer.subscriptions?.data.map((s) => s.id)).not.toContain('sub_canceled');

    const plain = await stripe.customers.retrieve(withSubs.id);
    expect((plain as Stripe.Customer).subscriptions).toBeUndefined();
  });

  it('answers a deleted customer with the deleted marker and an unknown one with resource_missing', async () => {
    const gone = await stripe.customers.retrieve('cus_gone', { expand: ['subscriptions'] });
    expect(gone).toMatchObject({ id: 'cus_gone', object: 'customer', deleted: true });

    const error = await stripe.customers.retrieve('cus_nobody').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
  });

  it('creates, updates (metadata merged, empty string unsets) and deletes through the SDK', async () => {
    const created = await stripe.customers.create({
      email: 'new@example.com',
      name: 'New',
      metadata: { userId: 'user_new', plan: 'pro' },
    });
    expect(created.id).toMatch(/^cus_/);
    const first = await stripe.customers.list({ limit: 1 });
    expect(first.data[0]?.id).toBe(created.id);

    const updated = await stripe.customers.update(created.id, {
      email: 'changed@example.com',
      metadata: { plan: '', extra: 'x' },
    });
    expect(updated.metadata).toEqual({ userId: 'user_new', extra: 'x' });
    expect((await stripe.customers.list({ email: 'new@example.com' })).data).toEqual([]);
    expect((await stripe.customers.list({ email: 'changed@example.com' })).data.map((c) => c.id)).toEqual([
      created.id,
    ]);

    const deleted = await stripe.customers.del(created.id);
    expect(deleted.deleted).toBe(true);
    expect(await stripe.customers.retrieve(created.id)).toMatchObject({ deleted: true });
    const afterDelete = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(afterDelete.map((c) => c.id)).not.toContain(created.id);
  });

  it('rejects unknown parameters, out-of-range limits, unknown cursors and bad keys like Stripe', async () => {
    const unknown = await stripe.customers
      .list({ colour: 'red' } as Stripe.CustomerListParams)
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'colour' });
    const tooMany = await stripe.customers.list({ limit: 101 }).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ statusCode: 400, param: 'limit' });
    const cursor = await stripe.customers.list({ starting_after: 'cus_nobody' }).catch((e: unknown) => e);
    expect(cursor).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'starting_after' });

    const badKey = await clientFor(sandbox.stripeUrl, 'not_a_key')
      .customers.list()
      .catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const bare = await fetch(`${sandbox.stripeUrl}/v1/customers`);
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});

describe('Stripe sandbox: subscriptions, checkout sessions, events', () => {
  it('lists subscriptions by customer and status, retrieves one', async () => {
    const current = await stripe.subscriptions.list({ customer: withSubs.id, limit: 100 });
    expect(current.data).toHaveLength(12);
    const all = await stripe.subscriptions
      .list({ customer: withSubs.id, status: 'all', limit: 5 })
      .autoPagingToArray({ limit: 100 });
    expect(all).toHaveLength(13);
    expect(all[0]?.id).toBe('sub_canceled');
    const canceled = await stripe.subscriptions.list({ status: 'canceled' });
    expect(canceled.data.map((s) => s.id)).toEqual(['sub_canceled']);

    const one = await stripe.subscriptions.retrieve('sub_twin');
    expect(one.customer).toBe('cus_list0008');
    expect(one.items.data[0]?.price.id).toMatch(/^price_/);
    await expect(stripe.subscriptions.retrieve('sub_nothing')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('lists checkout sessions by status and created, retrieves one', async () => {
    const paid = await stripe.checkout.sessions.list({ status: 'complete', created: { gte: T - 100 } });
    expect(paid.data.map((s) => s.id)).toEqual(['cs_test_paidNew']);
    const allComplete = await stripe.checkout.sessions
      .list({ status: 'complete', limit: 1 })
      .autoPagingToArray({ limit: 10 });
    expect(allComplete.map((s) => s.id)).toEqual(['cs_test_paidNew', 'cs_test_paidOld']);
    // `created[gte]`/`created[lt]` ranges, as the session sweep reads in parallel: a session at a
    // boundary second belongs to the range that starts there, never to both
    const ids = async (created: { gte: number; lt: number }) =>
      (await stripe.checkout.sessions.list({ status: 'complete', created })).data.map((s) => s.id);
    expect(await ids({ gte: T - 10_000, lt: T + 10 })).toEqual(['cs_test_paidOld']);
    expect(await ids({ gte: T + 10, lt: T + 11 })).toEqual(['cs_test_paidNew']);
    expect(await ids({ gte: T - 9_999, lt: T + 10 })).toEqual([]);

    const session = await stripe.checkout.sessions.retrieve('cs_test_paidNew');
    expect(session).toMatchObject({ object: 'checkout.session', status: 'complete', payment_status: 'paid' });
    await expect(stripe.checkout.sessions.retrieve('cs_test_nothing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('lists events whose delivery failed, by type and created', async () => {
    const failed = await stripe.events.list({ delivery_success: false });
    expect(failed.data.map((e) => e.id)).toEqual(['evt_failedOther', 'evt_failed']);
    const failedCheckout = await stripe.events.list({
      delivery_success: false,
      type: 'checkout.session.*',
      created: { gte: T },
    });
    expect(failedCheckout.data.map((e) => e.id)).toEqual(['evt_failed']);
    const delivered = await stripe.events.list({ delivery_success: true });
    expect(delivered.data.map((e) => e.id)).toEqual(['evt_ok']);
  });
});
