import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEntry, PoliciesResponse, PolicyActivity, PolicyView } from '@cache-doctor/shared';
import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redisReady } from '../src/adapters/redis';
import { POLICY_RUN_KIND, queuePolicyRun } from '../src/jobs/policies';
import { type JobWorker, startJobWorker } from '../src/jobs/runner';
import { scheduleSessionSweep } from '../src/jobs/session-sweep';
import type { GenerationFileWire } from '../src/sandbox/dataset';
import { testCheckoutSession, testDataset } from '../src/sandbox/test-data';
import { createServices, type Services } from '../src/services/container';
import { policyStore, runPolicies, runPolicy } from '../src/services/policies';
import { runScheduledSessionSweep } from '../src/services/session-sweep';
import { type Harness, startHarness } from './harness';
import { startServerProcess, stopProduct } from './product-process';

/**
 * Automatic repairs (SPEC §3, §6.4) on real redis-server, BullMQ and the sandbox upstreams: which
 * sessions generate-unprocessed acts on and how often, its hourly limit, dry-run, "Pause all",
 * three failures in a row, a target a person just changed, and two processes on one Redis.
 */

const MINUTE_MS = 60_000;
let harness: Harness;
let alerts: Array<Record<string, unknown>>;
let alertServer: Server;

beforeAll(async () => {
  alerts = [];
  alertServer = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      alerts.push(JSON.parse(body) as Record<string, unknown>);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => alertServer.listen(0, '127.0.0.1', resolve));
  const { port } = alertServer.address() as AddressInfo;
  harness = await startHarness({ users: 40, env: { ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/alerts` } });
});

afterAll(async () => {
  await harness?.close();
  await new Promise((resolve) => alertServer.close(resolve));
});

async function until<T>(read: () => Promise<T | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const policies = async () =>
  (await (await harness.request('GET', '/api/policies', { role: 'support' })).json()) as PoliciesResponse;
const policy = async (name: string) => (await policies()).policies.find((p) => p.name === name) as PolicyView;
const setPolicy = async (name: string, body: unknown, role: 'admin' | 'ops' | 'support' = 'admin') =>
  harness.request('PUT', `/api/policies/${name}`, { role, body });

/**
 * Paid or not, created `ageMs` ago, with the prompt stored (session-only layout) and no status
 * (WEBHOOK_MISSING when paid); with `failedWith`, a generation started that the generation API
 * says failed with that error (GENERATION_FAILED).
 */
interface Planted {
  id: string;
  prompt: string;
}
let counter = 0;
async function plantSessions(
  specs: Array<{ ageMs: number; paid: boolean; failedWith?: string }>,
): Promise<Planted[]> {
  const now = Date.now();
  const planted: Planted[] = [];
  const sessions: Stripe.Checkout.Session[] = [];
  const generationFiles: GenerationFileWire[] = [];
  for (const spec of specs) {
    counter += 1;
    const id = `cs_test_policy${String(counter).padStart(6, '0')}`;
    const createdMs = now - spec.ageMs;
    const prompt = `A lighthouse at dusk, shot ${counter}`;
    sessions.push(
      testCheckoutSession({
        id,
        status: 'complete',
        payment_status: spec.paid ? 'paid' : 'unpaid',
        created: Math.floor(createdMs / 1000),
      }),
    );
    const iso = new Date(createdMs).toISOString();
    const fileId = `file_policy${counter}`;
    if (spec.failedWith)
      generationFiles.push({
        id: fileId,
        status: 'failed',
        created_at: iso,
        updated_at: iso,
        url: null,
        error: spec.failedWith,
      });
    await harness.services.redis.set(
      `session:${id}`,
      JSON.stringify({
        prompt,
        videoCount: 1,
        duration: 8,
        resolution: '1280x720',
        style: 'cinematic',
        toolSlug: 'video',
        toolTitle: 'Video',
        createdAt: iso,
        timestamp: iso,
        ...(spec.failedWith && { status: 'processing', fileId }),
      }),
      'EX',
      30 * 86_400,
    );
    planted.push({ id, prompt });
  }
  harness.sandbox.load({ ...testDataset({ checkoutSessions: sessions }), generationFiles });
  return planted;
}

/** Generation starts the sandbox received, per planted session (by its unique prompt). */
const startsOf = (planted: readonly Planted[]) => {
  const started = harness.sandbox.state.generation.started.map(
    (call) => (call.body as { config: { prompt: string } }).config.prompt,
  );
  return planted.map((session) => started.filter((prompt) => prompt === session.prompt).length);
};

const appKeys = async () =>
  Object.fromEntries(
    Object.entries(await harness.snapshot()).filter(([key]) => !key.startsWith('cache-doctor:')),
  );

let testStartedAt = 0;
const policyAudit = async (name: string) =>
  (await harness.services.audit.since(testStartedAt)).filter(
    (entry: AuditEntry) => entry.actor === `policy:${name}`,
  );

/** Services of their own, as another server process has: its own Redis connections and queue. */
async function anotherProcess(): Promise<Services> {
  const services = createServices(harness.services.config);
  await Promise.all([redisReady(services.redis), redisReady(services.ownRedis)]);
  return services;
}

/** Every policy back to its defaults, claims and actions forgotten, nothing paused. */
async function resetPolicies(services: Services = harness.services) {
  const own = await services.ownRedis.keys(services.keys.own('policies:*'));
  if (own.length > 0) await services.ownRedis.del(...own);
  harness.sandbox.reset({ data: false });
  alerts.length = 0;
}

beforeEach(async () => {
  testStartedAt = Date.now();
  await resetPolicies();
});

describe('generate-unprocessed', () => {
  it('is off by default; support reads it, only an admin changes it, and the change is audited', async () => {
    const view = await policy('generate-unprocessed');
    expect(view).toMatchObject({ mode: 'off', maxPerHour: 20, minAgeMs: 600_000, actionsLastHour: 0 });
    expect((await setPolicy('generate-unprocessed', { mode: 'on' }, 'support')).status).toBe(403);
    expect((await setPolicy('generate-unprocessed', { mode: 'on' }, 'ops')).status).toBe(403);
    expect((await harness.request('POST', '/api/policies/pause', { role: 'ops' })).status).toBe(403);
    expect((await setPolicy('generate-unprocessed', { mode: 'sometimes' })).status).toBe(400);
    expect((await setPolicy('no-such-policy', { mode: 'on' })).status).toBe(404);
    const changed = await setPolicy('generate-unprocessed', { mode: 'dry-run', maxPerHour: 5 });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ mode: 'dry-run', maxPerHour: 5 });
    const [entry] = (await harness.services.audit.list({ limit: 1 })).entries;
    expect(entry).toMatchObject({ action: 'policy', target: 'policy:generate-unprocessed', role: 'admin' });
    expect(entry?.message).toContain('mode off → dry-run');
  });

  it('on its schedule: one generation for the paid session older than 10 minutes, none for a newer or unpaid one', async () => {
    const [old, recent, unpaid] = await plantSessions([
      { ageMs: 11 * MINUTE_MS, paid: true },
      { ageMs: 2 * MINUTE_MS, paid: true },
      { ageMs: 30 * MINUTE_MS, paid: false },
    ]);
    expect((await setPolicy('generate-unprocessed', { mode: 'on' })).status).toBe(200);
    const worker: JobWorker = await startJobWorker(harness.services);
    try {
      await scheduleSessionSweep(harness.services.jobQueue, 1_000);
      await until(async () => worker.processed.policies >= 1);
      // and a few more sweeps and runs after it: still exactly one
      const after = worker.processed.policies;
      await until(async () => worker.processed.policies >= after + 2);
    } finally {
      await scheduleSessionSweep(harness.services.jobQueue, 0);
      await worker.close();
    }
    expect(startsOf([old, recent, unpaid] as Planted[])).toEqual([1, 0, 0]);
    const [entry, ...more] = await policyAudit('generate-unprocessed');
    expect(more).toHaveLength(0);
    expect(entry).toMatchObject({ action: 'generate', target: old?.id, result: 'applied' });
    const view = await policy('generate-unprocessed');
    expect(view.actionsLastHour).toBe(1);
    expect(view.lastActions[0]).toMatchObject({ target: old?.id, result: 'applied', auditId: entry?.id });
    // undoable like a click's write
    const undo = await harness.request('POST', `/api/audit/${entry?.id}/undo`, { role: 'admin', body: {} });
    expect(undo.status).toBe(200);
  });

  it('dry-run writes nothing and lists the 50; on, the hourly limit holds at 20, then it stops itself and alerts', async () => {
    const planted = await plantSessions(
      Array.from({ length: 50 }, () => ({ ageMs: 20 * MINUTE_MS, paid: true })),
    );
    await runScheduledSessionSweep(harness.services);
    await setPolicy('generate-unprocessed', { mode: 'dry-run' });
    const before = await appKeys();
    await runPolicies(harness.services);
    expect(await appKeys()).toEqual(before);
    expect(startsOf(planted).every((count) => count === 0)).toBe(true);
    const dry = await policy('generate-unprocessed');
    expect(dry.wouldDo?.map((item) => item.target).sort()).toEqual(planted.map((s) => s.id).sort());
    expect(dry.wouldDo?.filter((item) => item.withinLimit)).toHaveLength(20);
    expect(await policyAudit('generate-unprocessed')).toHaveLength(0);

    await setPolicy('generate-unprocessed', { mode: 'on' });
    const [report] = (await runPolicies(harness.services)) ?? [];
    expect(report).toMatchObject({ acted: 20, stoppedBy: 'limit' });
    const starts = startsOf(planted);
    expect(starts.filter((count) => count === 1)).toHaveLength(20);
    expect(starts.filter((count) => count > 1)).toHaveLength(0);
    const view = await policy('generate-unprocessed');
    expect(view).toMatchObject({ mode: 'off', actionsLastHour: 20 });
    expect(view.stopped?.reason).toMatch(/limit of 20 actions an hour/);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      metric: 'policy:generate-unprocessed',
      state: 'firing',
      value: 20,
      threshold: 20,
    });
    // switched on again within the hour, it stops before acting again
    await setPolicy('generate-unprocessed', { mode: 'on' });
    await runPolicies(harness.services);
    expect(startsOf(planted).reduce((a, b) => a + b, 0)).toBe(20);

    // the page's chart: this hour, the dry run's 50, then 20 applied and two stops
    const activity = await harness.request('GET', '/api/policies/activity?range=24h', { role: 'support' });
    expect(activity.status).toBe(200);
    const { policies: charted } = (await activity.json()) as PolicyActivity;
    const hours = charted.find((p) => p.name === 'generate-unprocessed')?.points ?? [];
    expect(hours).toHaveLength(24);
    const total = (field: 'applied' | 'failed' | 'stopped' | 'wouldDo') =>
      hours.reduce((sum, hour) => sum + hour[field], 0);
    expect([total('wouldDo'), total('applied'), total('failed'), total('stopped')]).toEqual([50, 20, 0, 2]);
    expect(
      (await harness.request('GET', '/api/policies/activity?range=1h', { role: 'support' })).status,
    ).toBe(400);
  });

  it('"Pause all" stops a policy mid-run within one action, across processes', async () => {
    const planted = await plantSessions(
      Array.from({ length: 30 }, () => ({ ageMs: 20 * MINUTE_MS, paid: true })),
    );
    await runScheduledSessionSweep(harness.services);
    await setPolicy('generate-unprocessed', { mode: 'on', maxPerHour: 100 });
    harness.sandbox.faults.generation.set({ latencyMs: 100 });
    const other = await anotherProcess();
    try {
      const run = runPolicies(other); // another process's connections
      await until(async () => startsOf(planted).reduce((a, b) => a + b, 0) >= 3);
      expect((await harness.request('POST', '/api/policies/pause', { role: 'admin' })).status).toBe(200);
      const atPause = startsOf(planted).reduce((a, b) => a + b, 0);
      const [report] = (await run) ?? [];
      expect(report?.stoppedBy).toBe('pause');
      // the action in flight when the flag was set may finish; none starts after it
      expect(startsOf(planted).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(atPause + 1);
      expect((await policies()).paused).toBe(true);
      const total = startsOf(planted).reduce((a, b) => a + b, 0);
      expect(await runPolicies(harness.services)).toEqual([]);
      expect(startsOf(planted).reduce((a, b) => a + b, 0)).toBe(total);
      const paused = (await harness.services.audit.since(testStartedAt)).filter(
        (entry) => entry.action === 'policies-pause',
      );
      expect(paused).toMatchObject([{ target: 'policies', role: 'admin' }]);
      expect((await harness.request('POST', '/api/policies/resume', { role: 'admin' })).status).toBe(200);
      expect((await policies()).paused).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('three failures in a row stop the policy and fire its alert', async () => {
    const planted = await plantSessions(
      Array.from({ length: 6 }, () => ({ ageMs: 20 * MINUTE_MS, paid: true })),
    );
    await runScheduledSessionSweep(harness.services);
    await setPolicy('generate-unprocessed', { mode: 'on' });
    harness.sandbox.faults.generation.set({ serverErrorFraction: 1, serverErrorStatus: 500 });
    const [report] = (await runPolicies(harness.services)) ?? [];
    expect(report).toMatchObject({ acted: 3, stoppedBy: 'failures' });
    const view = await policy('generate-unprocessed');
    expect(view.mode).toBe('off');
    expect(view.stopped?.reason).toMatch(/3 actions in a row failed/);
    expect(view.lastActions.map((action) => action.result)).toEqual(['failed', 'failed', 'failed']);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ metric: 'policy:generate-unprocessed', state: 'firing', threshold: 3 });
    expect(String(alerts[0]?.text)).toContain('3 actions in a row failed');
    // nothing of ours landed in a customer's record
    for (const session of planted) {
      const value = await harness.services.redis.get(`session:${session.id}`);
      expect(JSON.parse(value ?? '{}').status).toBeUndefined();
    }
    const metrics = await (await harness.app.request('/metrics')).text();
    expect(metrics).toMatch(
      /cache_doctor_policy_actions_total\{policy="generate-unprocessed",result="failed"\} 3/,
    );
    // an admin lets it act again: the alert is resolved, not left firing
    harness.sandbox.faults.generation.set({ serverErrorFraction: 0 });
    await setPolicy('generate-unprocessed', { mode: 'dry-run' });
    await until(async () => alerts.length === 2);
    expect(alerts[1]).toMatchObject({
      metric: 'policy:generate-unprocessed',
      state: 'resolved',
      threshold: 3,
    });
  });

  it('two server processes, each an OS process of its own with the policy on, never both act on one session', async () => {
    const { config } = harness.services;
    const env = {
      GENERATION_API_URL: config.generation.url as string,
      GENERATION_API_TOKEN: config.generation.token as string,
      // one task at a time each, so two runs queued together go one to each process; the test
      // queues the runs its sweep would, and the processes' own schedules stay off
      JOB_CONCURRENCY: '1',
      SESSION_SWEEP_EVERY_MS: '0',
      SWEEP_EVERY_MS: '0',
    };
    // they start while the test plants and sweeps (a process takes seconds to start)
    const starting = [startServerProcess(harness, env), startServerProcess(harness, env)];
    const queue = harness.services.jobQueue;
    const since = Date.now();
    const runsEnded = async (states: Array<'completed' | 'failed'>) =>
      (await queue.getJobs(states)).filter(
        (job) => job.name === POLICY_RUN_KIND && (job.finishedOn ?? 0) >= since,
      );
    let planted: Planted[] = [];
    try {
      planted = await plantSessions(
        Array.from({ length: 12 }, () => ({ ageMs: 20 * MINUTE_MS, paid: true })),
      );
      await runScheduledSessionSweep(harness.services);
      await setPolicy('generate-unprocessed', { mode: 'on', maxPerHour: 100 });
      harness.sandbox.faults.generation.set({ latencyMs: 20 });
      await Promise.all(starting);
      // two runs at once, twice over: whichever process loses the run lock does nothing, and a
      // run after the first finds every session claimed
      for (const round of [1, 2]) {
        await Promise.all([queuePolicyRun(queue), queuePolicyRun(queue)]);
        await until(async () => (await runsEnded(['completed', 'failed'])).length >= round * 2);
      }
    } finally {
      const started = await Promise.allSettled(starting);
      await Promise.all(
        started.flatMap((server) => (server.status === 'fulfilled' ? [stopProduct(server.value.child)] : [])),
      );
    }
    expect(await runsEnded(['failed'])).toEqual([]);
    expect(startsOf(planted)).toEqual(planted.map(() => 1));
    const audited = (await policyAudit('generate-unprocessed')).map((entry) => entry.target);
    expect(audited.sort()).toEqual(planted.map((session) => session.id).sort());
  });

  it('the run lock lets one of two runs through; past it, two runs at once claim each session once', async () => {
    const planted = await plantSessions(
      Array.from({ length: 12 }, () => ({ ageMs: 20 * MINUTE_MS, paid: true })),
    );
    await runScheduledSessionSweep(harness.services);
    await setPolicy('generate-unprocessed', { mode: 'on', maxPerHour: 100 });
    harness.sandbox.faults.generation.set({ latencyMs: 20 });
    const [a, b] = [await anotherProcess(), await anotherProcess()];
    try {
      // the run lock lets one of two runs through
      const runs = await Promise.all([runPolicies(a), runPolicies(b)]);
      expect(runs.filter((run) => run === null)).toHaveLength(1);
      expect(startsOf(planted)).toEqual(planted.map(() => 1));
      // and without the lock (two runs of the policy itself at once), each target is claimed once
      const more = await plantSessions(
        Array.from({ length: 12 }, () => ({ ageMs: 20 * MINUTE_MS, paid: true })),
      );
      await runScheduledSessionSweep(harness.services);
      await Promise.all([runPolicy(a, 'generate-unprocessed'), runPolicy(b, 'generate-unprocessed')]);
      expect(startsOf(more)).toEqual(more.map(() => 1));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('retry-failed-generation', () => {
  const RETRYABLE = 'Generation failed: out of GPU capacity, please retry';
  const sessionRecord = async (id: string) =>
    JSON.parse((await harness.services.redis.get(`session:${id}`)) ?? '{}') as Record<string, unknown>;
  /** what the latest sweep made of a session, as the policies read it */
  const swept = async (id: string) =>
    (await policyStore(harness.services).sweptSessions()).find((session) => session.sessionId === id);
  /** the generation API's answers are reused for a minute; the test moves a file on before that */
  const forgetFileStates = async () => {
    const kept = await harness.services.ownRedis.keys(harness.services.keys.own('generation:file:*'));
    if (kept.length > 0) await harness.services.ownRedis.del(...kept);
  };

  it('generates again once per session after an error that is not terminal, never after a refusal; audited and undoable', async () => {
    const [retryable, refused] = (await plantSessions([
      { ageMs: 20 * MINUTE_MS, paid: true, failedWith: RETRYABLE },
      { ageMs: 20 * MINUTE_MS, paid: true, failedWith: 'Content policy violation: prompt was rejected' },
    ])) as [Planted, Planted];
    const failedFileId = (await sessionRecord(retryable.id)).fileId as string;
    await runScheduledSessionSweep(harness.services);
    expect(await swept(retryable.id)).toMatchObject({ code: 'GENERATION_FAILED', unprocessed: true });
    expect((await swept(refused.id))?.code).toBe('GENERATION_FAILED');
    await setPolicy('retry-failed-generation', { mode: 'on' });

    await runPolicies(harness.services);
    expect(startsOf([retryable, refused])).toEqual([1, 0]);
    const [entry, ...more] = await policyAudit('retry-failed-generation');
    expect(more).toHaveLength(0);
    expect(entry).toMatchObject({ action: 'generate', target: retryable.id, result: 'applied' });
    const record = await sessionRecord(retryable.id);
    const retryFileId = harness.sandbox.state.generation.started[0]?.fileId;
    expect(record).toMatchObject({ status: 'processing', fileId: retryFileId });
    // the audit entry keeps the failed attempt, as a person's Generate does
    expect(entry?.message).toContain(failedFileId);
    expect((await policy('retry-failed-generation')).lastActions).toMatchObject([
      { target: retryable.id, result: 'applied', auditId: entry?.id },
    ]);

    // the new attempt fails too, retryably: the sweep sees GENERATION_FAILED with Generate offered
    // again, and the policy, having had its one go at this session, leaves it to a person
    harness.sandbox.state.generation.setStatus(retryFileId as string, 'failed', { error: RETRYABLE });
    await forgetFileStates();
    await runScheduledSessionSweep(harness.services);
    expect(await swept(retryable.id)).toMatchObject({ code: 'GENERATION_FAILED', fixes: ['generate'] });
    await runPolicies(harness.services);
    expect(startsOf([retryable, refused])).toEqual([1, 0]);
    expect(await policyAudit('retry-failed-generation')).toHaveLength(1);

    // undone like a click's write: the record holds the first failed attempt again
    const undo = await harness.request('POST', `/api/audit/${entry?.id}/undo`, { role: 'admin', body: {} });
    expect(undo.status).toBe(200);
    expect((await sessionRecord(retryable.id)).fileId).toBe(failedFileId);
  });
});

describe('refresh-drifted', () => {
  it('refreshes drifted users from the latest sweep, skipping those a person refreshed minutes ago, alone or in a bulk refresh', async () => {
    const { services } = harness;
    harness.sandbox.load(harness.seed.dataset); // the session tests left only their checkouts
    const worker = await startJobWorker(services);
    const runJob = async (body: unknown) => {
      const created = await harness.request('POST', '/api/jobs', { role: 'ops', body });
      const { jobId } = (await created.json()) as { jobId: string };
      await until(async () => {
        const view = (await (await harness.request('GET', `/api/jobs/${jobId}`, { role: 'ops' })).json()) as {
          state: string;
        };
        return view.state === 'completed';
      });
    };
    const drift = new Set([
      'SUBSCRIPTIONS_STALE',
      'PAYMENT_METHOD_STALE',
      'EMAIL_MISMATCH_CLERK',
      'EMAIL_MISMATCH_STRIPE',
    ]);
    const driftedNow = async () => {
      const attention = (await (
        await harness.request('GET', '/api/attention?limit=500', { role: 'ops' })
      ).json()) as {
        users: Array<{ userId: string; problems: Array<{ code: string }> }>;
      };
      return attention.users.filter((user) => user.problems.some((p) => drift.has(p.code)));
    };
    /** someone edits the customer in Stripe's dashboard: the cache has drifted again */
    const changeEmailInStripe = async (userId: string) => {
      const customerId = harness.seed.planted.customerIds[userId] as string;
      const response = await fetch(`${harness.sandbox.stripeUrl}/v1/customers/${customerId}`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sk_test_harness',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ email: `changed-${userId.toLowerCase()}@example.com` }),
      });
      expect(response.status).toBe(200);
    };
    try {
      await runJob({ type: 'sweep' });
      const drifted = await driftedNow();
      expect(drifted.length).toBeGreaterThanOrEqual(3);
      // one drifted user a person refreshes alone, one a person's bulk refresh repairs (its batch is
      // audited under the job, not the user); both drift again and the next sweep finds them
      const repairable = drifted.find((user) =>
        user.problems.some((p) => p.code === 'SUBSCRIPTIONS_STALE' || p.code === 'PAYMENT_METHOD_STALE'),
      )?.userId as string;
      const [byPerson, ...others] = drifted
        .map((user) => user.userId)
        .filter((userId) => userId !== repairable) as [string, ...string[]];
      await runJob({ type: 'bulk-refresh', userIds: [repairable] });
      const preview = await harness.request('POST', `/api/users/${byPerson}/refresh`, {
        role: 'ops',
        body: { dryRun: true },
      });
      const { planId } = (await preview.json()) as { planId: string };
      const applied = await harness.request('POST', `/api/users/${byPerson}/refresh`, {
        role: 'ops',
        body: { planId },
      });
      expect(applied.status).toBe(200);
      await changeEmailInStripe(repairable);
      await changeEmailInStripe(byPerson);
      await runJob({ type: 'sweep' });
      const again = (await driftedNow()).map((user) => user.userId);
      expect(again).toEqual(expect.arrayContaining([repairable, byPerson, ...others]));
      // every sweep queues a policy run of its own; the worker finishes those as it closes, so the
      // run below is the only one (a queued run holding the run lock made it act on nobody)
      await worker.close();

      await setPolicy('refresh-drifted', { mode: 'on' });
      await runPolicies(services);
      const view = await policy('refresh-drifted');
      const touched = (await policyAudit('refresh-drifted')).map((entry) => entry.target);
      // every drifted user but the person's had its action: a refresh, or none needed (a Clerk
      // email that differs from Stripe's is not the cache's to change)
      expect(view.lastActions.map((action) => action.target).sort()).toEqual([...others].sort());
      for (const action of view.lastActions)
        expect(action.result === 'applied' || action.message === 'Already up to date.').toBe(true);
      // each target is named as the sweep read it from Clerk (issue #21: people, not ids)
      const { people } = await policies();
      for (const action of view.lastActions) {
        const clerk = harness.seed.dataset.clerkUsers.find((user) => user.id === action.target);
        const primary = clerk?.email_addresses.find((a) => a.id === clerk.primary_email_address_id);
        expect(people?.[action.target]?.email, action.target).toBe(primary?.email_address);
      }
      expect(touched.length).toBeGreaterThan(0);
      expect(touched.sort()).toEqual(
        view.lastActions
          .filter((action) => action.result === 'applied')
          .map((action) => action.target)
          .sort(),
      );
      for (const userId of touched) {
        const sync = (await (
          await harness.request('GET', `/api/users/${userId}/sync`, { role: 'ops' })
        ).json()) as {
          problems: Array<{ code: string }>;
        };
        expect(sync.problems.filter((p) => drift.has(p.code) && p.code !== 'EMAIL_MISMATCH_CLERK')).toEqual(
          [],
        );
      }
      // never twice on one target for one problem
      await runPolicies(services);
      expect(await policyAudit('refresh-drifted')).toHaveLength(touched.length);
    } finally {
      await worker.close();
    }
  });
});
