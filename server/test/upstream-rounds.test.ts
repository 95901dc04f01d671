import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness';

/**
 * Issue 16: a repair asks Clerk and Stripe once for its preview and once for its apply — the
 * page's re-read after the apply uses what the apply answers with (the sync view, the session as
 * written), so no third round. Counted with the sandbox upstreams' request counters.
 */
describe('upstream calls from click to re-read (real redis-server + sandbox)', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ users: 200 });
  });
  afterAll(async () => {
    await harness.close();
  });

  const counts = () => ({
    clerk: harness.sandbox.counters.clerk.snapshot().requests,
    stripe: harness.sandbox.counters.stripe.snapshot().requests,
  });
  const since = (start: { clerk: number; stripe: number }) => {
    const now = counts();
    return { clerk: now.clerk - start.clerk, stripe: now.stripe - start.stripe };
  };
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await harness.request(method, path, {
      role: 'ops',
      ...(body !== undefined && { body }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('a refresh: preview and apply each ask once; the sync panel shows what the apply answered', async () => {
    const [userId] = Object.entries(harness.seed.planted.users).find(
      ([id, codes]) => codes.includes('FIELDS_MISSING') && harness.seed.planted.customerIds[id],
    ) as [string, string[]];

    const start = counts();
    const preview = await call('POST', `/api/users/${userId}/refresh`, { dryRun: true });
    expect(preview.status).toBe(200);
    const oneRound = since(start);
    expect(oneRound.clerk).toBeGreaterThan(0);
    expect(oneRound.stripe).toBeGreaterThan(0);

    const apply = await call('POST', `/api/users/${userId}/refresh`, { planId: preview.body.planId });
    expect(apply.body).toMatchObject({ applied: true });
    // the re-read: health from Redis alone, sync from the apply's answer
    const health = await call('GET', `/api/users/${userId}/health`);
    expect(health.body).toMatchObject({ healthy: true });
    const total = since(start);
    expect(total.clerk).toBeLessThanOrEqual(2 * oneRound.clerk);
    expect(total.stripe).toBeLessThanOrEqual(2 * oneRound.stripe);

    // what the apply answered is what a fresh read of the sync view says
    const fresh = await call('GET', `/api/users/${userId}/sync`);
    expect(apply.body.sync).toEqual(fresh.body);
    expect(fresh.body).toMatchObject({ inSync: true });
  });

  it('a session fix: the page read and the fix each ask Stripe once; the page then shows the fix answer', async () => {
    const [sessionId] = Object.entries(harness.seed.planted.sessions).find(
      ([, planted]) => planted.code === 'WEBHOOK_MISSING',
    ) as [string, unknown];

    const start = counts();
    const page = await call('GET', `/api/sessions/${sessionId}`);
    expect(page.body).toMatchObject({ diagnosis: { code: 'WEBHOOK_MISSING' } });
    const planId = (page.body.previews as { planIds?: { fixSession?: string } }).planIds?.fixSession;
    const fixed = await call('POST', `/api/sessions/${sessionId}/fix`, planId ? { planId } : {});
    expect(fixed.status).toBe(200);
    expect(since(start).stripe).toBeLessThanOrEqual(2);

    const fresh = await call('GET', `/api/sessions/${sessionId}`);
    // the same session, up to the clock (TTL seconds, the preview's time stamps)
    const stable = (view: unknown) => {
      const { keys, stripe, diagnosis } = view as {
        keys: Record<string, { raw: string | null }>;
        stripe: unknown;
        diagnosis: unknown;
      };
      const raws = Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, key.raw]));
      return { raws, stripe, diagnosis };
    };
    expect(stable(fixed.body.session)).toEqual(stable(fresh.body));
    expect(fresh.body).toMatchObject({ diagnosis: { code: 'WEBHOOK_ERROR' } });
  });
});
