import type { JobView } from '@cache-doctor/shared';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobWorker } from '../src/jobs/runner';
import { buildCheckoutSweepLoad, writeSeedToRedis } from '../src/sandbox/seed';
import { type Harness, startHarness } from './harness';

/**
 * Issue 17 / SPEC §3: a confirmed "Fix all" or "Generate all" writes to exactly the sessions the
 * person confirmed. A session that becomes paid and unprocessed after the start (before a worker
 * reaches it) is left byte-identical, with no paid generation — reported as skipped, not in the plan.
 * Real redis-server + sandbox; the job is started with no worker running, so the change always
 * lands between the confirmation and the run.
 */

const DAY_MS = 86_400_000;

type Body = { error?: { code: string; message: string } };
interface PlanBody {
  jobId: string | null;
  planId: string;
  plan: { sessions: Array<{ sessionId: string }> };
}

describe('confirmed session sweeps (real redis-server + sandbox)', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ users: 20 });
  });
  afterAll(async () => {
    await harness?.close();
  });

  /**
   * A fresh window in Stripe: paid unprocessed sessions, and one more whose customer has not paid
   * yet (its checkout still open) — it completes later with `complete()`. Its Redis keys (the
   * prompt the app saved at checkout) are there from the start.
   */
  const plantWindow = async (seed: number) => {
    const load = buildCheckoutSweepLoad({ completed: 40, unprocessed: 5, unpaid: 2, seed });
    const lateId = load.unprocessedIds.at(-1) as string;
    const paid = load.dataset.checkoutSessions.find((session) => session.id === lateId);
    if (!paid) throw new Error('the load has no late session');
    const open = { ...paid, status: 'open', payment_status: 'unpaid' } as Stripe.Checkout.Session;
    harness.sandbox.load({
      ...load.dataset,
      checkoutSessions: load.dataset.checkoutSessions.map((session) =>
        session.id === lateId ? open : session,
      ),
    });
    await writeSeedToRedis(harness.services.redis, load.redisWrites);
    return {
      confirmedIds: load.unprocessedIds.filter((id) => id !== lateId).sort(),
      lateId,
      complete: () => harness.sandbox.state.stripe.putCheckoutSession(paid),
    };
  };

  const startJob = async (body: object) => {
    const response = await harness.request('POST', '/api/jobs', { role: 'ops', body });
    return { status: response.status, body: (await response.json()) as PlanBody & Body };
  };
  const finished = (jobId: string) => harness.jobEnded(jobId);
  /** the app's keys of one session (Cache Doctor's own — audit, jobs — are expected to change) */
  const keysOf = async (sessionId: string) =>
    Object.fromEntries(
      Object.entries(await harness.snapshot()).filter(
        ([key]) => key.includes(sessionId) && !key.startsWith('cache-doctor:'),
      ),
    );
  const generateCalls = () =>
    harness.sandbox.counters.generation.snapshot().routes['POST /api/v1/file/generate-video'] ?? 0;

  /** preview, confirm with the planId, the late session completes, then a worker runs the job */
  const confirmThenChange = async (action: 'fix' | 'generate', seed: number) => {
    const window = await plantWindow(seed);
    const request = {
      type: 'session-sweep',
      action,
      since: new Date(Date.now() - 7 * DAY_MS).toISOString(),
    };
    const preview = await startJob({ ...request, dryRun: true });
    expect(preview.status).toBe(200);
    expect(preview.body.plan.sessions.map((session) => session.sessionId).sort()).toEqual(
      window.confirmedIds,
    );
    const started = await startJob({ ...request, planId: preview.body.planId });
    expect(started.status).toBe(202);

    window.complete();
    const lateKeys = await keysOf(window.lateId);
    expect(Object.keys(lateKeys).length).toBeGreaterThan(0);
    const calls = generateCalls();
    const worker = await startJobWorker(harness.services, { concurrency: 2 });
    let view: JobView;
    try {
      view = await finished(started.body.jobId as string);
    } finally {
      await worker.close();
    }
    expect(view.state).toBe('completed');
    const results = view.sessionResults ?? [];
    const late = results.find((result) => result.sessionId === window.lateId);
    // the run did find it, and said why it left it alone
    expect(late).toMatchObject({ outcome: 'skipped', reason: 'not-in-plan' });
    expect(late?.message).toMatch(/^Not in the confirmed plan/);
    expect(view.tally['skipped:not-in-plan']).toBe(1);
    expect(await keysOf(window.lateId)).toEqual(lateKeys);
    return { window, results, paidCalls: generateCalls() - calls };
  };

  it('"Fix all" fixes the confirmed sessions and leaves one that became unprocessed after the start byte-identical', async () => {
    const { window, results, paidCalls } = await confirmThenChange('fix', 31);
    expect(
      results
        .filter((result) => result.outcome === 'fixed')
        .map((result) => result.sessionId)
        .sort(),
    ).toEqual(window.confirmedIds);
    expect(paidCalls).toBe(0);
  });

  it('"Generate all" starts a paid generation for the confirmed sessions only, none for one that became unprocessed after the start', async () => {
    const { window, results, paidCalls } = await confirmThenChange('generate', 32);
    expect(
      results
        .filter((result) => result.outcome === 'generated')
        .map((result) => result.sessionId)
        .sort(),
    ).toEqual(window.confirmedIds);
    expect(paidCalls).toBe(window.confirmedIds.length);
  });
});
