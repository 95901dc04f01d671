import { foldText, isErrorLevelCustomerCode, type JobView } from '@cache-doctor/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue, type JobWorker, startJobWorker } from '../src/jobs/runner';
import { type Harness, STAFF, startHarness } from './harness';

/**
 * Issue #20 on seeded data (real redis-server, the sandbox upstreams through the real SDKs):
 * "Needs attention" across sweeps, the customer's purchases and timeline, the session timeline,
 * people search.
 */

interface AttentionPage {
  sweptAt: string | null;
  jobId: string | null;
  counts: Record<string, number>;
  users: Array<{
    userId: string;
    email: string | null;
    problems: Array<{ code: string; firstSeen: string; lastSeen: string }>;
  }>;
  cursor: string | null;
}

interface Item {
  at: string;
  kind: string;
  title: string;
  source: string;
  ref?: { kind: string; id: string };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('the customer story (issue #20)', () => {
  let harness: Harness;
  let jobs: JobQueue;
  let worker: JobWorker;

  beforeAll(async () => {
    harness = await startHarness({ users: 200 });
    jobs = new JobQueue(harness.services);
    worker = await startJobWorker(harness.services);
  });
  afterAll(async () => {
    await worker?.close();
    await harness?.close();
  });

  const get = async <T>(path: string, role: 'support' | 'ops' = 'support') => {
    const response = await harness.request('GET', path, { role });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };
  const post = (path: string, body: unknown = {}) => harness.request('POST', path, { role: 'ops', body });

  /** a sweep to its end, and until its attention list is the one served */
  const sweep = async () => {
    const jobId = await jobs.create(
      { type: 'sweep' },
      { id: STAFF.ops.name, name: STAFF.ops.name, role: 'ops' },
    );
    for (;;) {
      const view = await get<JobView>(`/api/jobs/${jobId}?limit=1`);
      if (view.state === 'completed') break;
      expect(['queued', 'running']).toContain(view.state);
      await tick();
    }
    for (;;) {
      const page = await get<AttentionPage>('/api/attention?limit=500');
      if (page.jobId === jobId) return page;
      await tick();
    }
  };

  /** the checkout session a seeded Stripe event carries */
  const sessionOfEvent = (eventId: string) => {
    const event = harness.sandbox.state.stripe.events.get(eventId);
    if (!event) throw new Error(`no event ${eventId} in the sandbox`);
    return (event.data.object as { id: string }).id;
  };

  const brokenPlanted = () =>
    Object.entries(harness.seed.planted.users).filter(([, codes]) => codes.some(isErrorLevelCustomerCode));

  it('before the first sweep the list says there has been none', async () => {
    const page = await get<AttentionPage>('/api/attention');
    expect(page).toMatchObject({ sweptAt: null, users: [], cursor: null });
  });

  it('lists every user with an error-level problem; first seen survives a second sweep, a fixed problem leaves', async () => {
    const first = await sweep();
    const listed = new Map(first.users.map((user) => [user.userId, user]));
    for (const [userId, codes] of brokenPlanted()) {
      expect(
        listed
          .get(userId)
          ?.problems.map((p) => p.code)
          .sort(),
        userId,
      ).toEqual(codes.filter(isErrorLevelCustomerCode).sort());
    }
    expect(first.users.length).toBe(brokenPlanted().length);
    const total = Object.values(first.counts).reduce((sum, n) => sum + n, 0);
    expect(total).toBe(first.users.reduce((sum, user) => sum + user.problems.length, 0));
    // sorted by first seen; a filter keeps only that problem's users
    const [code] = Object.keys(first.counts);
    const filtered = await get<AttentionPage>(`/api/attention?problem=${code}`);
    expect(filtered.users.length).toBe(first.counts[code as string]);
    expect(filtered.users.every((user) => user.problems.some((p) => p.code === code))).toBe(true);

    const stale = harness.seed.planted.byCode.SUBSCRIPTIONS_STALE[0] as string;
    const kept = first.users.find((user) => user.userId !== stale) as AttentionPage['users'][number];
    const refreshed = await post(`/api/users/${stale}/refresh`, { dryRun: false });
    expect(refreshed.status).toBe(200);

    const second = await sweep();
    expect(second.sweptAt).not.toBe(first.sweptAt);
    expect(second.users.some((user) => user.userId === stale)).toBe(false);
    const again = second.users.find((user) => user.userId === kept.userId);
    expect(again?.problems[0]?.firstSeen).toBe(kept.problems[0]?.firstSeen);
    expect(again?.problems[0]?.lastSeen).toBe(second.sweptAt);
    expect(Date.parse(again?.problems[0]?.lastSeen ?? '')).toBeGreaterThan(
      Date.parse(kept.problems[0]?.firstSeen ?? ''),
    );

    const trend = await get<{ points: Array<{ at: string; counts: Record<string, number> }> }>(
      '/api/attention/trend?range=7d',
    );
    expect(trend.points.map((point) => point.at)).toEqual([first.sweptAt, second.sweptAt]);
    expect(trend.points[0]?.counts).toEqual(first.counts);
  });

  it("the audit log names a user as the latest sweep read them from Clerk, before the cache's copy (issue #21)", async () => {
    const stale = harness.seed.planted.byCode.SUBSCRIPTIONS_STALE[0] as string;
    const clerk = harness.seed.dataset.clerkUsers.find((user) => user.id === stale);
    const email = clerk?.email_addresses.find((address) => address.id === clerk.primary_email_address_id);
    // the cached record says otherwise now: the page must still show who Clerk says it is
    const customerId = harness.seed.planted.customerIds[stale] as string;
    const raw = (await harness.services.redis.get(`customer:${customerId}`)) ?? '{}';
    const record = JSON.parse(raw);
    await harness.services.redis.set(
      `customer:${customerId}`,
      JSON.stringify({ ...record, email: 'cache-only@example.com', name: 'Cache Only' }),
      'KEEPTTL',
    );
    const log = await get<{ entries: Array<{ action: string; person: unknown }> }>(
      `/api/audit?target=${stale}`,
    );
    expect(log.entries.map((entry) => entry.action)).toContain('refresh');
    for (const entry of log.entries)
      expect(entry.person).toEqual({
        email: email?.email_address,
        name: [clerk?.first_name, clerk?.last_name].filter(Boolean).join(' '),
      });
    await harness.services.redis.set(`customer:${customerId}`, raw, 'KEEPTTL');
  });

  it('a bulk refresh of the users shown takes them off the list until a sweep finds them again', async () => {
    const before = await get<AttentionPage>('/api/attention?problem=SUBSCRIPTIONS_STALE');
    expect(before.users.length).toBeGreaterThan(0);
    const userIds = before.users.map((user) => user.userId);
    const jobId = await jobs.create(
      { type: 'bulk-refresh', userIds },
      { id: STAFF.ops.name, name: STAFF.ops.name, role: 'ops' },
    );
    for (;;) {
      const page = await get<AttentionPage>('/api/attention?problem=SUBSCRIPTIONS_STALE');
      if (page.users.length === 0) break;
      const view = await get<JobView>(`/api/jobs/${jobId}?limit=1`);
      expect(['queued', 'running', 'completed']).toContain(view.state);
      await tick();
    }
  });

  it('an accent-free query finds an accented name; cus_ and evt_ ids resolve', async () => {
    const named = harness.seed.dataset.clerkUsers.find((user) =>
      /[^ -~]/.test(`${user.first_name}${user.last_name}`),
    );
    expect(named, 'the seed has an accented name').toBeDefined();
    const plain = foldText(`${named?.first_name} ${named?.last_name}`).toUpperCase();
    const found = await get<{ results: Array<{ userId?: string; health?: string }> }>(
      `/api/search?q=${encodeURIComponent(plain)}`,
    );
    expect(found.results.map((result) => result.userId)).toContain(named?.id);
    expect(found.results.every((result) => result.health === 'healthy' || result.health === 'problems')).toBe(
      true,
    );

    const [userId, customerId] = Object.entries(harness.seed.planted.customerIds).find(([, id]) => id) as [
      string,
      string,
    ];
    const byCustomer = await get<{ results: Array<{ kind: string; userId?: string }> }>(
      `/api/search?q=${customerId}`,
    );
    expect(byCustomer.results).toEqual([expect.objectContaining({ kind: 'customer', userId })]);

    const eventId = harness.seed.planted.failedEventIds[0] as string;
    const sessionId = sessionOfEvent(eventId);
    const byEvent = await get<{ results: Array<{ kind: string; id: string }> }>(`/api/search?q=${eventId}`);
    expect(byEvent.results).toEqual([expect.objectContaining({ kind: 'session', id: sessionId })]);
  });

  it("a customer's purchases and timeline: subscriptions and checkouts in order, with a refresh and its undo", async () => {
    const subscribed = new Set(harness.seed.dataset.stripeSubscriptions.map((s) => s.customer));
    const [sessionId, planted] = Object.entries(harness.seed.planted.sessions).find(
      ([, session]) => session.code === 'WEBHOOK_MISSING' && subscribed.has(session.customerId),
    ) as [string, { userId: string; customerId: string }];
    const { userId } = planted;
    const purchases = await get<{ sessions: Array<{ sessionId: string; diagnosis: { code: string } }> }>(
      `/api/users/${userId}/sessions`,
    );
    expect(purchases.sessions.find((s) => s.sessionId === sessionId)?.diagnosis.code).toBe('WEBHOOK_MISSING');

    // a cached name Clerk no longer has: the refresh has something to write, and so to undo
    const customerKey = harness.services.keys.customer(planted.customerId);
    const record = JSON.parse((await harness.services.redis.get(customerKey)) ?? '{}');
    await harness.services.redis.set(customerKey, JSON.stringify({ ...record, name: 'Old Name' }), 'KEEPTTL');
    const refresh = await post(`/api/users/${userId}/refresh`, { dryRun: false });
    const { auditId } = (await refresh.json()) as { auditId: string };
    expect((await post(`/api/audit/${auditId}/undo`)).status).toBe(200);

    harness.sandbox.counters.stripe.reset();
    const { items } = await get<{ items: Item[] }>(`/api/users/${userId}/timeline`);
    const routes = harness.sandbox.counters.stripe.snapshot().routes;
    // one page per list: checkout sessions by customer and by email, subscriptions, invoices
    expect(routes['GET /v1/checkout/sessions']).toBeLessThanOrEqual(2);
    expect(routes['GET /v1/subscriptions'] ?? 0).toBeLessThanOrEqual(1);
    expect(routes['GET /v1/invoices'] ?? 0).toBeLessThanOrEqual(1);

    const times = items.map((item) => item.at);
    expect(times).toEqual([...times].sort().reverse());
    const kinds = items.map((item) => item.kind);
    expect(kinds).toContain('customer.created');
    expect(kinds).toContain('subscription.created');
    expect(items.find((item) => item.ref?.id === sessionId)?.source).toBe('stripe');
    const undo = kinds.indexOf('audit.undo');
    const refreshItem = kinds.indexOf('audit.refresh');
    expect(undo).toBeGreaterThanOrEqual(0);
    expect(refreshItem).toBeGreaterThan(undo);
    expect(items[refreshItem]?.title).toContain(STAFF.ops.name);
    expect(kinds.indexOf('customer.created')).toBeGreaterThan(kinds.indexOf('subscription.created'));
  });

  it('the session timeline shows the failed delivery, then the fix', async () => {
    const eventId = harness.seed.planted.failedEventIds.find((id) => {
      const sessionId = sessionOfEvent(id);
      return harness.seed.planted.sessions[sessionId]?.code === 'WEBHOOK_MISSING';
    }) as string;
    const sessionId = sessionOfEvent(eventId);
    const fixed = await post(`/api/sessions/${sessionId}/fix`, {});
    expect(fixed.status).toBe(200);

    const response = await harness.request('GET', `/api/sessions/${sessionId}/timeline`, { role: 'support' });
    expect(response.status, harness.logs.slice(-3).join('\n')).toBe(200);
    const { items } = (await response.json()) as { items: Item[] };
    const kinds = items.map((item) => item.kind);
    const failed = kinds.indexOf('webhook.failed');
    const fix = kinds.indexOf('audit.fix-session');
    expect(failed).toBeGreaterThanOrEqual(0);
    expect(fix).toBeGreaterThanOrEqual(0);
    expect(fix).toBeLessThan(failed);
    expect(items[failed]?.ref).toEqual({ kind: 'event', id: eventId });
    expect(kinds).toContain('checkout.created');
    expect(kinds).toContain('app.status.error');
  });
});
