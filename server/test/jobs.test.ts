import type { AuditEntry, JobUserResult, JobView } from '@cache-doctor/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobTaskData, taskId } from '../src/jobs/job-tasks';
import { JobQueue, type JobWorker, startJobWorker } from '../src/jobs/runner';
import { STRIPE_TEST_RATE_LIMIT } from '../src/sandbox';
import { type Harness, STAFF, startHarness } from './harness';
import { spawnJobWorker } from './jobs-worker-process';

/**
 * Acceptance of SPEC §3 (bulk), §4, §6.4 on 2,000 seeded users: real redis-server, the sandbox
 * upstreams, BullMQ workers — in this process and, for the crash, a separate `pnpm worker` process
 * killed with SIGKILL. No added latency, no fixed waits: every wait polls for a condition.
 */

const USERS = 2000;
/** short BullMQ locks, so a killed worker's task is taken over in about a second */
const FAST_RECOVERY = { lockDurationMs: 1000, stalledIntervalMs: 500 };

const ops = { id: STAFF.ops.name, name: STAFF.ops.name, role: 'ops' as const };
const admin = { id: STAFF.admin.name, name: STAFF.admin.name, role: 'admin' as const };

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

/** Codes a refresh cannot change (see the rebuild test). */
const REFRESH_CANNOT_FIX: Record<string, string[]> = {
  NO_STRIPE_CUSTOMER: ['NO_STRIPE_CUSTOMER'],
  CLERK_USER_NOT_FOUND: ['CLERK_USER_NOT_FOUND'],
  STRIPE_CUSTOMER_NOT_FOUND: ['STRIPE_CUSTOMER_NOT_FOUND'],
  LEGACY_KEYS: ['LEGACY_KEYS'],
  EMAIL_MISMATCH_CLERK: ['EMAIL_MISMATCH_CLERK'],
  EMAIL_MISMATCH_STRIPE: ['EMAIL_MISMATCH_CLERK'],
};

describe('jobs on 2,000 seeded users (real redis-server + sandbox, BullMQ)', () => {
  let harness: Harness;
  let jobs: JobQueue;
  let workers: JobWorker[] = [];

  beforeAll(async () => {
    harness = await startHarness({ users: USERS });
    jobs = new JobQueue(harness.services);
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await harness.close();
  });

  const startWorkers = async (count: number, concurrency = 8) => {
    await Promise.all(workers.map((worker) => worker.close()));
    workers = await Promise.all(
      Array.from({ length: count }, () =>
        startJobWorker(harness.services, { ...FAST_RECOVERY, concurrency }),
      ),
    );
  };

  const view = async (jobId: string) => {
    const response = await harness.request('GET', `/api/jobs/${jobId}?limit=1`, { role: 'support' });
    expect(response.status).toBe(200);
    return (await response.json()) as JobView;
  };
  const waitFor = async (jobId: string, until: (view: JobView) => boolean) => {
    for (;;) {
      const current = await view(jobId);
      if (until(current)) return current;
      await tick();
    }
  };
  const finished = (jobId: string) => waitFor(jobId, (v) => v.state !== 'queued' && v.state !== 'running');
  const results = async (jobId: string) => {
    const all = new Map<string, JobUserResult>();
    for await (const page of jobs.store.results(jobId))
      for (const result of page) all.set(result.userId, result);
    return all;
  };
  const codesByUser = (all: Map<string, JobUserResult>) =>
    Object.fromEntries([...all].map(([userId, result]) => [userId, [...result.problems].sort()]));
  const planted = () =>
    Object.fromEntries(
      Object.entries(harness.seed.planted.users).map(([userId, codes]) => [userId, [...codes].sort()]),
    );
  /** waits until no task of any job is waiting or running */
  const drained = async () => {
    for (;;) {
      const counts = await harness.services.jobQueue.getJobCounts(
        'active',
        'waiting',
        'delayed',
        'prioritized',
      );
      if (Object.values(counts).every((count) => count === 0)) return;
      await tick();
    }
  };
  const sweep = async () => {
    const jobId = await jobs.create({ type: 'sweep' }, ops);
    const done = await finished(jobId);
    expect(done.state).toBe('completed');
    return { jobId, view: done, codes: codesByUser(await results(jobId)) };
  };

  it('who may start what: support nothing, ops sweeps and bulk-refreshes, admin alone rebuilds', async () => {
    const post = (role: 'support' | 'ops' | 'admin', body: unknown) =>
      harness.request('POST', '/api/jobs', { role, body }).then((r) => r.status);
    expect(await post('support', { type: 'sweep' })).toBe(403);
    expect(await post('ops', { type: 'rebuild' })).toBe(403);
    expect(await post('ops', { type: 'bulk-refresh', userIds: ['not-an-id'] })).toBe(400);
    expect(await post('ops', { type: 'nonsense' })).toBe(400);
    expect((await harness.request('GET', '/api/jobs/0000000000nope', { role: 'support' })).status).toBe(404);
  });

  it('a sweep finds every planted problem on its user and nothing on anyone else, in ≤ 0.03 calls per user', async () => {
    await startWorkers(1);
    harness.sandbox.reset();
    const before = await harness.snapshot();
    const response = await harness.request('POST', '/api/jobs', { role: 'ops', body: { type: 'sweep' } });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    const done = await finished(jobId);
    const users = Object.keys(harness.seed.planted.users).length;
    expect(done.state).toBe('completed');
    expect(done.progress).toEqual({ done: users, total: users, failed: 0 });
    expect(codesByUser(await results(jobId))).toEqual(planted());

    const calls =
      harness.sandbox.counters.stripe.snapshot().requests +
      harness.sandbox.counters.clerk.snapshot().requests;
    expect(calls / USERS).toBeLessThanOrEqual(0.03);
    // a sweep writes nothing of the app's
    const after = await harness.snapshot();
    const appKeys = (all: Record<string, string>) =>
      Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith('cache-doctor:')));
    expect(appKeys(after)).toEqual(appKeys(before));

    // the sync-failure metric's source
    const metric = JSON.parse(
      (await harness.services.ownRedis.get('cache-doctor:metrics:last-sweep')) ?? '{}',
    );
    expect(metric).toMatchObject({ jobId, checked: users });
    expect(metric.outOfSync).toBeGreaterThan(0);

    // results: filtered view and CSV
    const filtered = (await (
      await harness.request('GET', `/api/jobs/${jobId}?problem=NO_TTL`, { role: 'support' })
    ).json()) as JobView;
    expect(filtered.results?.map((r) => r.userId).sort()).toEqual(
      [...harness.seed.planted.byCode.NO_TTL].sort(),
    );
    const csv = await (
      await harness.request('GET', `/api/jobs/${jobId}/results.csv`, { role: 'support' })
    ).text();
    expect(csv.trim().split('\n')).toHaveLength(users + 1);
  });

  it('`pnpm cli sweep` runs the same sweep without a server: progress, broken users by problem, exit 3', async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    workers = [];
    const { code, out, err } = await harness.cli(['sweep', '--json'], 'cli:tester');
    expect(err).toMatch(/users checked \(100 %\)/);
    const summary = JSON.parse(out) as {
      jobId: string;
      state: string;
      checked: number;
      broken: number;
      byCode: Record<string, number>;
      brokenUsers: { userId: string; email: string | null; name: string | null; problems: string[] }[];
    };
    expect(summary).toMatchObject({ state: 'completed', checked: USERS });
    const all = await results(summary.jobId);
    expect(codesByUser(all)).toEqual(planted());
    const broken = [...all.values()].filter((result) => result.broken);
    expect(broken.length).toBeGreaterThan(0);
    expect(summary.brokenUsers.map((user) => user.userId).sort()).toEqual(
      broken.map((result) => result.userId).sort(),
    );
    expect(code).toBe(3);
    // the same job as the page's: on record as the CLI's actor, and feeding the sync-failure metric
    expect((await jobs.store.get(summary.jobId))?.actor).toBe('cli:tester');
    const metric = JSON.parse(
      (await harness.services.ownRedis.get('cache-doctor:metrics:last-sweep')) ?? '{}',
    );
    expect(metric.jobId).toBe(summary.jobId);

    const words = await harness.cli(['sweep']);
    expect(words.code).toBe(3);
    expect(words.out).toMatch(new RegExp(`Users checked: +${USERS}`));
    expect(words.out).toContain('By problem');
    // problems in words with their codes, broken users by email and name with their ids
    expect(words.out).toContain('Subscription record missing (SUBSCRIPTION_MISSING)');
    expect(words.out).toContain('Broken users (first 20)');
    const firstBroken = summary.brokenUsers[0] as { userId: string; email: string | null };
    expect(firstBroken.email).toMatch(/@/);
    expect(words.out).toContain(`  ${firstBroken.email}`);
    expect(words.out).toContain(`(${firstBroken.userId}): `);
  });

  it('two workers share one job and together never exceed the Stripe rate limit', async () => {
    await startWorkers(2, 4);
    harness.sandbox.reset();
    harness.sandbox.faults.stripe.set({ rateLimit: STRIPE_TEST_RATE_LIMIT });
    const { codes } = await sweep();
    expect(codes).toEqual(planted());
    const stripe = harness.sandbox.counters.stripe.snapshot();
    // more calls than one second's allowance, so the limiter had to hold them back
    expect(stripe.requests).toBeGreaterThan(harness.services.config.stripe.maxRps);
    expect(stripe.maxPerSecond).toBeLessThanOrEqual(harness.services.config.stripe.maxRps);
    expect(stripe.rateLimited).toBe(0);
    for (const worker of workers) expect(worker.processed.part + worker.processed.batch).toBeGreaterThan(0);
    harness.sandbox.reset();
  });

  it('a 429 is retried after Retry-After and a 5xx after a backoff; the sweep still completes', async () => {
    await startWorkers(1);
    harness.sandbox.reset();
    harness.sandbox.faults.stripe.set({ rateLimitNext: 1, retryAfterSeconds: 1, serverErrorNext: 2 });
    harness.sandbox.faults.clerk.set({ serverErrorNext: 1 });
    const { view: done, codes } = await sweep();
    expect(done.progress.failed).toBe(0);
    expect(codes).toEqual(planted());
    expect(harness.sandbox.counters.stripe.snapshot().rateLimited).toBe(1);
    harness.sandbox.reset();
  });

  it('cancel stops the job within one batch', async () => {
    await startWorkers(1);
    const batchSize = 50;
    const jobId = await jobs.create({ type: 'sweep' }, ops, { batchSize });
    await waitFor(jobId, (v) => v.progress.done >= batchSize);
    const response = await harness.request('DELETE', `/api/jobs/${jobId}`, { role: 'ops' });
    expect(response.status).toBe(200);
    const atCancel = (await response.json()) as JobView;
    expect(atCancel.state).toBe('cancelled');
    await drained();
    const final = await view(jobId);
    expect(final.state).toBe('cancelled');
    expect(final.progress.done - atCancel.progress.done).toBeLessThanOrEqual(batchSize);
    expect(final.progress.done).toBeLessThan(final.progress.total);
    expect((await harness.request('DELETE', `/api/jobs/${jobId}`, { role: 'ops' })).status).toBe(409);
  });

  it('a bulk refresh repairs the listed users, audited with before-images', async () => {
    await startWorkers(1);
    const userIds = ['CUSTOMER_MISSING', 'MAPPING_MALFORMED', 'SUBSCRIPTIONS_STALE'].flatMap(
      (code) => harness.seed.planted.byCode[code as 'CUSTOMER_MISSING'],
    );
    const appKeys = (all: Record<string, string>) =>
      Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith('cache-doctor:')));
    const before = appKeys(await harness.snapshot());
    const response = await harness.request('POST', '/api/jobs', {
      role: 'ops',
      body: { type: 'bulk-refresh', userIds },
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    const done = await finished(jobId);
    expect(done).toMatchObject({ state: 'completed', progress: { done: userIds.length, failed: 0 } });
    const all = await results(jobId);
    for (const userId of userIds) expect(all.get(userId)?.outcome).toBe('refreshed');
    const entries = await harness.services.audit.list({ limit: 50, target: `job:${jobId}` });
    expect(entries.entries).toHaveLength(1);
    const entry = entries.entries[0] as AuditEntry;
    for (const userId of userIds) expect(Object.keys(entry.before)).toContain(`user:${userId}`);
    expect(appKeys(await harness.snapshot())).not.toEqual(before);

    // the job's entry is undoable like any other: every key back as it was
    const undo = await harness.request('POST', `/api/audit/${entry.id}/undo`, { role: 'ops' });
    expect(undo.status).toBe(200);
    expect(appKeys(await harness.snapshot())).toEqual(before);
  });

  /**
   * What a crash (of a worker, or of Redis with its append-only file) leaves when it cuts a task off
   * after its step committed and before what follows: the job still running, the step's marker
   * kept, and the task run again, as BullMQ's stalled-job recovery does (under a new id here, as
   * the original one finished). Recreated on a job that finished, since the crash's moment cannot be picked.
   */
  const cutOffAfterItsStep = async (
    jobId: string,
    phase: string,
    task: JobTaskData,
    stepsToRedo: string[],
  ) => {
    const { ownRedis } = harness.services;
    // the first run's tasks all ended (the last one is still tidying up when the job reads completed)
    await drained();
    await ownRedis.hset(jobs.store.key(jobId), { state: 'running', phase });
    await ownRedis.hdel(jobs.store.key(jobId), 'finishedAt');
    // the steps after it never ran: their tasks were never queued
    for (const step of stepsToRedo) await harness.services.jobQueue.remove(`${jobId}-${step}`);
    await harness.services.jobQueue.add(task.kind, task, { jobId: `${taskId(task)}-again` });
    await drained();
    return view(jobId);
  };

  it('a batch run again after its commit (its worker died before the job could finish) finishes the job', async () => {
    await startWorkers(1);
    const userIds = harness.seed.planted.byCode.SUBSCRIPTIONS_STALE.slice(0, 2);
    const jobId = await jobs.create({ type: 'bulk-refresh', userIds }, ops);
    expect((await finished(jobId)).state).toBe('completed');
    const again = await cutOffAfterItsStep(jobId, 'processing', { kind: 'batch', jobId, batch: 0 }, []);
    expect(again).toMatchObject({ state: 'completed', progress: { done: userIds.length, failed: 0 } });
  });

  it('a collection part run again after it was done (its worker died before queueing the plan) moves the job on', async () => {
    await startWorkers(1);
    const jobId = await jobs.create({ type: 'sweep' }, ops);
    expect((await finished(jobId)).state).toBe('completed');
    await drained();
    const record = await jobs.store.get(jobId);
    const parts = Array.from({ length: record?.partsTotal ?? 0 }, (_, index) => `part-${index}`);
    await harness.services.ownRedis.sadd(jobs.store.key(jobId, 'parts-done'), parts);
    await harness.services.ownRedis.hset(jobs.store.key(jobId), { batches: '0', batchesDone: '0' });
    const again = await cutOffAfterItsStep(
      jobId,
      'collecting',
      { kind: 'part', jobId, part: parts[0] as string },
      ['plan'],
    );
    expect(again).toMatchObject({ state: 'completed' });
  });

  it('killing a worker mid-rebuild: another finishes it, no user processed twice, and the rebuild repairs all', async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    workers = [];
    const child = await spawnJobWorker(harness, { lockMs: 1000, concurrency: 1 });
    const batchSize = 100;
    const jobId = await jobs.create({ type: 'rebuild' }, admin, { batchSize });
    await waitFor(jobId, (v) => v.progress.done >= batchSize);
    child.kill('SIGKILL');
    const atKill = await view(jobId);
    expect(atKill.state).toBe('running');
    expect(atKill.progress.done).toBeLessThan(atKill.progress.total);

    await startWorkers(1);
    const done = await finished(jobId);
    const clerkUsers = harness.seed.dataset.clerkUsers.length;
    expect(done).toMatchObject({
      state: 'completed',
      progress: { done: clerkUsers, total: clerkUsers, failed: 0 },
    });

    // every refreshed user's keys were written by exactly one committed batch
    const writtenBy = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await harness.services.audit.list({ limit: 200, target: `job:${jobId}`, cursor });
      for (const entry of page.entries) {
        for (const key of Object.keys(entry.before)) {
          if (key.startsWith('user:')) writtenBy.set(key, (writtenBy.get(key) ?? 0) + 1);
        }
      }
      cursor = page.cursor ?? undefined;
    } while (cursor);
    const all = await results(jobId);
    const refreshed = [...all.values()].filter((result) => result.outcome === 'refreshed');
    expect(writtenBy.size).toBe(refreshed.length);
    expect([...writtenBy.values()].every((count) => count === 1)).toBe(true);

    // afterwards only what a refresh cannot fix remains (see REFRESH_CANNOT_FIX)
    const after = await sweep();
    const expected = Object.fromEntries(
      Object.entries(planted()).map(([userId, codes]) => [
        userId,
        codes.flatMap((code) => REFRESH_CANNOT_FIX[code] ?? []).sort(),
      ]),
    );
    expect(after.codes).toEqual(expected);
  });
});
