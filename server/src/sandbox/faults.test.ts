import { createClerkClient } from '@clerk/backend';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultController, RequestCounters } from './faults';
import { type CounterSnapshot, type FaultSettings, type Sandbox, startSandbox } from './index';
import { testClerkUser, testCustomer, testDataset } from './test-data';

let sandbox: Sandbox;
let stripe: Stripe;

beforeAll(async () => {
  sandbox = await startSandbox({
    dataset: testDataset({
      stripeCustomers: [testCustomer({ id: 'cus_fault' })],
      clerkUsers: [testClerkUser({ id: 'user_fault' })],
    }),
  });
  const { hostname, port } = new URL(sandbox.stripeUrl);
  stripe = new Stripe('sk_test_sandbox', {
    host: hostname,
    port: Number(port),
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const auth = { authorization: 'Bearer sk_test_sandbox' };
const control = (url: string, path: string, init?: RequestInit) => fetch(`${url}/__sandbox/${path}`, init);
const putFaults = (url: string, patch: Partial<FaultSettings>) =>
  control(url, 'faults', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });

describe('sandbox faults over the SDKs', () => {
  it('a 429 fault surfaces as StripeRateLimitError with Retry-After, then requests pass again', async () => {
    sandbox.faults.stripe.set({ rateLimitNext: 2, retryAfterSeconds: 7 });
    const error = await stripe.customers.retrieve('cus_fault').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(error).toMatchObject({ statusCode: 429, code: 'rate_limit' });

    const raw = await fetch(`${sandbox.stripeUrl}/v1/customers/cus_fault`, { headers: auth });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');

    await expect(stripe.customers.retrieve('cus_fault')).resolves.toMatchObject({ id: 'cus_fault' });
    expect(sandbox.counters.stripe.snapshot()).toMatchObject({
      requests: 3,
      rateLimited: 2,
      serverErrors: 0,
    });
  });

  it('fails an exact, evenly spread fraction of requests', async () => {
    sandbox.faults.stripe.set({ rateLimitFraction: 0.25 });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await fetch(`${sandbox.stripeUrl}/v1/customers/cus_fault`, { headers: auth })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 200, 200, 200, 429]);
  });

  it('5xx faults set over HTTP reach the Clerk SDK as errors with that status', async () => {
    const put = await putFaults(sandbox.clerkUrl, { serverErrorNext: 1, serverErrorStatus: 503 });
    expect(put.status).toBe(200);
    const clerk = createClerkClient({
      secretKey: 'sk_test_sandbox',
      apiUrl: sandbox.clerkUrl,
      telemetry: { disabled: true },
    });
    await expect(clerk.users.getUser('user_fault')).rejects.toMatchObject({
      status: 503,
      errors: [{ code: 'internal_clerk_error' }],
    });
    await expect(clerk.users.getUser('user_fault')).resolves.toMatchObject({ id: 'user_fault' });
    expect(sandbox.counters.clerk.snapshot().serverErrors).toBe(1);
  });

  it('the rate-limit switch rejects a burst above the rate, Clerk-style for Clerk', async () => {
    // A long window keeps the test exact however slowly this machine sends the burst.
    await putFaults(sandbox.clerkUrl, { rateLimit: { requests: 5, windowMs: 60_000 } });
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => fetch(`${sandbox.clerkUrl}/v1/users/user_fault`, { headers: auth })),
    );
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const rejected = burst.find((r) => r.status === 429) as Response;
    expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await rejected.json()).toMatchObject({ errors: [{ code: 'too_many_requests' }] });
    const counters = (await (await control(sandbox.clerkUrl, 'counters')).json()) as CounterSnapshot;
    expect(counters).toMatchObject({ requests: 8, rateLimited: 3 });
    expect(counters.maxPer10Seconds).toBe(8);
  });

  it('adds the configured latency', async () => {
    sandbox.faults.stripe.set({ latencyMs: 150 });
    const started = performance.now();
    await stripe.customers.retrieve('cus_fault');
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('control routes: read and change faults, count by route template, reset', async () => {
    await putFaults(sandbox.stripeUrl, { latencyMs: 5 });
    expect(await (await control(sandbox.stripeUrl, 'faults')).json()).toMatchObject({
      latencyMs: 5,
      rateLimit: null,
    });
    const invalid = await putFaults(sandbox.stripeUrl, { latencyMs: -1 });
    expect(invalid.status).toBe(400);

    await stripe.customers.retrieve('cus_fault');
    await stripe.customers.list({ limit: 1 });
    await fetch(`${sandbox.stripeUrl}/v1/nothing`, { headers: auth });
    const counters = (await (await control(sandbox.stripeUrl, 'counters')).json()) as CounterSnapshot;
    expect(counters.routes).toEqual({
      'GET /v1/customers/:id': 1,
      'GET /v1/customers': 1,
      'GET (unmatched)': 1,
    });
    expect(counters.statuses).toEqual({ 200: 2, 404: 1 });

    const reset = await control(sandbox.stripeUrl, 'reset', { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(sandbox.faults.stripe.get().latencyMs).toBe(0);
    expect(sandbox.counters.stripe.snapshot().requests).toBe(0);
  });

  it('reset with data=true undoes changes made through the API', async () => {
    await stripe.customers.update('cus_fault', { email: 'changed@example.com' });
    await control(sandbox.stripeUrl, 'reset?data=true', { method: 'POST' });
    const customer = (await stripe.customers.retrieve('cus_fault')) as Stripe.Customer;
    expect(customer.email).toBeNull();
  });
});

describe('fault and counter bookkeeping (controlled clock)', () => {
  it('the rate limit is a sliding window and Retry-After says when it frees', () => {
    let now = 0;
    const faults = new FaultController({ rateLimit: { requests: 2, windowMs: 1000 } }, () => now);
    expect(faults.decide().kind).toBe('pass');
    now = 400;
    expect(faults.decide().kind).toBe('pass');
    now = 900;
    expect(faults.decide()).toEqual({ kind: 'rate-limited', retryAfterSeconds: 1, reason: 'rate-limit' });
    now = 1000; // the first request left the window
    expect(faults.decide().kind).toBe('pass');
    expect(faults.decide().kind).toBe('rate-limited');
  });

  it('counts the most arrivals in any 1-second and 10-second window', () => {
    let now = 0;
    const counters = new RequestCounters(() => now);
    for (const t of [0, 100, 200, 999, 1000, 1100, 5000, 9000, 10_500]) {
      now = t;
      counters.arrived('GET /v1/customers');
    }
    // At most four share a second (e.g. 200, 999, 1000, 1100); eight share 0–9000.
    expect(counters.snapshot()).toMatchObject({ requests: 9, maxPerSecond: 4, maxPer10Seconds: 8 });
  });

  it('fractions and counts combine deterministically; reset restores the start settings', () => {
    const faults = new FaultController({ latencyMs: 20 });
    faults.set({ serverErrorFraction: 0.5, serverErrorNext: 1 });
    expect([1, 2, 3, 4, 5].map(() => faults.decide().kind)).toEqual([
      'server-error',
      'pass',
      'server-error',
      'pass',
      'server-error',
    ]);
    faults.reset();
    expect(faults.get()).toMatchObject({ latencyMs: 20, serverErrorFraction: 0, serverErrorNext: 0 });
  });
});
