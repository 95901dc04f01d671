import type { Staff } from '@cache-doctor/shared';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingAudit } from '../src/adapters/audit-pending';
import { queueWrite } from '../src/adapters/commit-steps';
import { parseInfo } from '../src/adapters/redis';
import { JobQueue, startJobWorker } from '../src/jobs/runner';
import { OWN_KEYS } from '../src/keys';
import { MetricsCollector } from '../src/metrics/collector';
import { type Harness, startHarness } from './harness';
import { auditMismatches, auditSince, halfWritten, makeStale } from './integrity';

/**
 * Issue 17 item 7: Cache Doctor's own data in a Redis of its own (OWN_REDIS_URL), two real
 * redis-servers. The app's keys stay in the app's Redis; the audit log, metrics, jobs and the
 * own-store checks are in the other one; a write crosses the two in three steps (pending entry →
 * the app's MULTI with an applied-marker → settled), and a crash between them is reconciled.
 */

interface PlanBody {
  planId: string;
  applied: boolean;
  auditId: string | null;
}
interface StatusBody {
  redis: { ok: boolean };
  ownRedis: { ok: boolean } | null;
  ownStore: { evicts: boolean; persists: boolean; historyLost: { at: string } | null; warnings: string[] };
}

const OPS: Staff = { id: 'Olivia Ops', name: 'Olivia Ops', role: 'ops' };

const waitUntil = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number) => {
  const started = performance.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** Every key of one Redis matching a pattern (SCAN, as the harness's snapshot reads). */
async function keysIn(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

describe("Cache Doctor's own data in a second redis-server (OWN_REDIS_URL)", () => {
  let harness: Harness;
  let app: Redis;
  let own: Redis;
  let pending: PendingAudit;
  const ownKey = (suffix: string) => harness.services.keys.own(suffix);
  /** seeded users with a Stripe customer and no planted problem, handed out one per use */
  let healthyUsers: string[];

  beforeAll(async () => {
    harness = await startHarness({ users: 120, ownRedis: true });
    ({ redis: app, ownRedis: own } = harness.services);
    pending = harness.services.audit.pending as PendingAudit;
    healthyUsers = Object.entries(harness.seed.planted.users)
      .filter(([id, codes]) => codes.length === 0 && harness.seed.planted.customerIds[id])
      .map(([id]) => id);
  });
  afterAll(async () => {
    await harness.close();
  });

  const nextUser = () => {
    const userId = healthyUsers.shift();
    if (!userId) throw new Error('the seed has no healthy user left');
    return userId;
  };
  const refresh = async (userId: string, body: unknown) => {
    const response = await harness.request('POST', `/api/users/${userId}/refresh`, { role: 'ops', body });
    return { status: response.status, body: (await response.json()) as PlanBody };
  };
  const auditMark = async () => (await harness.services.audit.list({ limit: 1 })).entries[0]?.id ?? '';

  it('runs on two servers: a distinct client, and /readyz asks both', async () => {
    expect(own).not.toBe(app);
    expect(pending).not.toBeNull();
    const ready = (await (await harness.request('GET', '/readyz')).json()) as {
      redis: { ok: boolean };
      ownRedis?: { ok: boolean };
    };
    expect(ready).toMatchObject({ redis: { ok: true }, ownRedis: { ok: true } });
  });

  it('a confirmed refresh writes the app keys in the app Redis and its audit entry in the own one; undo restores across both', async () => {
    const userId = nextUser();
    await makeStale(harness, userId);
    const before = await harness.snapshot();
    const since = await auditMark();
    const preview = await refresh(userId, { dryRun: true });
    const applied = await refresh(userId, { planId: preview.body.planId });
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toBe(true);
    const auditId = applied.body.auditId as string;

    // the entry is in the own Redis only, settled (nothing left pending); the app Redis holds its marker
    expect(await own.exists(ownKey(`${OWN_KEYS.auditEntry}${auditId}`))).toBe(1);
    expect(await app.exists(ownKey(`${OWN_KEYS.auditEntry}${auditId}`))).toBe(0);
    expect(await keysIn(app, ownKey('audit:*'))).toEqual([]);
    expect(await own.zcard(ownKey(OWN_KEYS.auditPendingIndex))).toBe(0);
    expect(await app.exists(ownKey(`${OWN_KEYS.appliedMarker}${auditId}`))).toBe(1);
    // the cache keys it wrote are in the app Redis, none in the own one
    const entries = await auditSince(harness, since);
    expect(entries.map((entry) => entry.id)).toEqual([auditId]);
    const written = Object.keys(entries[0]?.after ?? {});
    expect(written.length).toBeGreaterThan(0);
    for (const key of written) {
      expect(await app.get(key)).toBe(entries[0]?.after[key]);
      expect(await own.exists(key)).toBe(0);
    }
    expect(
      auditMismatches(before, await harness.snapshot(), entries, harness.services.config.ownPrefix),
    ).toEqual([]);

    const undo = async (body: unknown) =>
      (await harness.request('POST', `/api/audit/${auditId}/undo`, { role: 'ops', body })).json() as Promise<
        PlanBody & { restored: string[] }
      >;
    const undone = await undo({ planId: (await undo({ dryRun: true })).planId });
    expect(undone.applied).toBe(true);
    for (const [key, value] of Object.entries(entries[0]?.before ?? {}))
      expect(await app.get(key)).toBe(value);
    const reverted = await harness.services.audit.get(auditId);
    expect(reverted?.undoneBy).toEqual(undone.auditId);
    expect((await harness.services.audit.get(undone.auditId as string))?.undoOf).toBe(auditId);
    expect(await own.zcard(ownKey(OWN_KEYS.auditPendingIndex))).toBe(0);
  });

  it('a bulk refresh job: its queue, record and audit entries are in the own Redis, the refreshed keys in the app one', async () => {
    const userIds = healthyUsers.splice(0, 8);
    for (const userId of userIds) await makeStale(harness, userId);
    const before = await harness.snapshot();
    const since = await auditMark();
    const worker = await startJobWorker(harness.services);
    try {
      const jobs = new JobQueue(harness.services);
      const jobId = await jobs.create({ type: 'bulk-refresh', userIds }, OPS, { batchSize: 3 });
      const record = await waitUntil(
        () => jobs.store.get(jobId),
        (found) => found?.state === 'completed' || found?.state === 'failed',
        30_000,
      );
      expect(record).toMatchObject({ state: 'completed', done: userIds.length, failed: 0 });
      expect(await own.exists(jobs.store.key(jobId))).toBe(1);
      expect(await app.exists(jobs.store.key(jobId))).toBe(0);
    } finally {
      await worker.close();
    }
    const prefix = harness.services.config.ownPrefix;
    expect((await keysIn(own, `${prefix}bull:*`)).length).toBeGreaterThan(0);
    expect(await keysIn(app, `${prefix}bull:*`)).toEqual([]);
    expect(await keysIn(app, `${prefix}jobs:*`)).toEqual([]);
    expect(await halfWritten(harness, userIds)).toEqual([]);
    const entries = await auditSince(harness, since);
    expect(entries.length).toBeGreaterThan(0);
    expect(auditMismatches(before, await harness.snapshot(), entries, prefix)).toEqual([]);
  });

  it('metrics are sampled into the own Redis', async () => {
    const collector = new MetricsCollector(harness.services);
    try {
      expect(await collector.sampleOnce(Date.now())).not.toBeNull();
    } finally {
      await collector.stop();
    }
    const prefix = harness.services.config.ownPrefix;
    expect((await keysIn(own, `${prefix}metrics:*`)).length).toBeGreaterThan(0);
    expect(await keysIn(app, `${prefix}metrics:series:*`)).toEqual([]);
    expect(await app.exists(ownKey('metrics:latest'))).toBe(0);
  });

  /** One app key written the way the writer writes it, with the audit entry it carries. */
  const planOf = (key: string, after: string) => {
    const write = { key, before: null, after, ttlSeconds: 600 };
    const audit = harness.services.audit.draft(OPS, {
      action: 'refresh',
      target: key,
      message: 'own-redis test',
    });
    return {
      write,
      writes: [write],
      audit,
      entry: { ...audit, before: { [key]: null }, after: { [key]: after } },
    };
  };

  it('a process that stopped between the steps: the next read of the log settles what landed and drops what never will', async () => {
    const { audit } = harness.services;
    const step = (name: string) => ({
      ...planOf(`own-redis-test:${name}`, name),
      deadlineKey: ownKey(`${OWN_KEYS.commitDeadline}test-${name}`),
    });
    const [landed, abandoned, inFlight] = [step('landed'), step('abandoned'), step('in-flight')];
    for (const { entry, deadlineKey } of [landed, abandoned, inFlight])
      await pending.open({ entry, alsoRecord: [], deadlineKey });
    // step 2 ran for `landed` (its writes and marker in one MULTI), then the process died
    const transaction = app.multi();
    queueWrite(transaction, landed.write);
    pending.markApplied(transaction, landed.entry.id);
    await transaction.exec();
    // `abandoned` never reached EXEC and its deadline guard expired; `inFlight` is still within it
    await app.set(inFlight.deadlineKey, '1', 'PX', 60_000);

    const ids = (await audit.list({ limit: 10 })).entries.map((entry) => entry.id);
    expect(ids).toContain(landed.entry.id);
    expect(ids).not.toContain(abandoned.entry.id);
    expect(ids).not.toContain(inFlight.entry.id);
    expect(await app.get('own-redis-test:landed')).toBe('landed');
    expect(await app.exists('own-redis-test:abandoned')).toBe(0);
    // only the commit still within its deadline stays undecided (and unseen)
    expect(await own.zrange(ownKey(OWN_KEYS.auditPendingIndex), 0, -1)).toEqual([inFlight.entry.id]);

    // a late settling of `landed` (its writer's step 3 after this reconciliation) leaves it as it
    // is now, undone meanwhile
    await audit.record({ ...landed.entry, undoneBy: 'an-undo' });
    await pending.settle({ entry: landed.entry, alsoRecord: [], deadlineKey: landed.deadlineKey });
    expect((await audit.get(landed.entry.id))?.undoneBy).toBe('an-undo');

    await app.del(inFlight.deadlineKey);
    await audit.reconcile();
    expect(await own.zcard(ownKey(OWN_KEYS.auditPendingIndex))).toBe(0);
    expect(await audit.get(inFlight.entry.id)).toBeNull();
  });

  it('the own redis-server killed (SIGKILL) between the app MULTI and the settling: the write answers committed, and after a restart from its append-only file the entry is settled', async () => {
    await own.config('SET', 'appendonly', 'yes');
    await waitUntil(
      async () => parseInfo(await own.info('persistence')),
      (info) =>
        info.aof_enabled === '1' &&
        info.aof_rewrite_in_progress === '0' &&
        info.aof_rewrite_scheduled === '0',
      20_000,
    );
    const ownServer = harness.ownRedisServer;
    if (!ownServer) throw new Error('the harness has no own redis-server');
    const markApplied = pending.markApplied.bind(pending);
    let killed: Promise<void> | null = null;
    // right after step 1 (the pending entry is kept) and as step 2's MULTI is queued
    pending.markApplied = (transaction, id) => {
      killed = ownServer.crash();
      markApplied(transaction, id);
    };
    let result: Awaited<ReturnType<typeof harness.services.writer.commit>>;
    try {
      result = await harness.services.writer.commit(planOf('own-redis-test:crash', 'written'));
    } finally {
      pending.markApplied = markApplied;
    }
    expect(killed).not.toBeNull();
    await killed;
    expect(result.kind).toBe('committed');
    const entryId = result.kind === 'committed' ? (result.entry?.id as string) : '';
    expect(await app.get('own-redis-test:crash')).toBe('written');

    await ownServer.restart({ appendOnly: true });
    const settled = await waitUntil(
      () => harness.services.audit.get(entryId).catch(() => null),
      (entry) => entry !== null,
      10_000,
    );
    expect(settled?.after).toEqual({ 'own-redis-test:crash': 'written' });
    expect(await own.zcard(ownKey(OWN_KEYS.auditPendingIndex))).toBe(0);
  });

  it('the own redis-server hanging (SIGSTOP): the cache reads answer, readiness and Status say it is down, a refresh answers 503 writing nothing; after SIGCONT it applies', async () => {
    const userId = nextUser();
    await makeStale(harness, userId);
    const preview = await refresh(userId, { dryRun: true });
    const before = await harness.snapshot();
    harness.ownRedisServer?.pause();
    try {
      expect(
        (await harness.request('GET', `/api/users/${userId}/customer`, { role: 'support' })).status,
      ).toBe(200);
      expect((await harness.request('GET', `/api/users/${userId}/health`, { role: 'support' })).status).toBe(
        200,
      );
      const ready = await harness.request('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ redis: { ok: true }, ownRedis: { ok: false } });
      const status = (await (
        await harness.request('GET', '/api/status', { role: 'support' })
      ).json()) as StatusBody;
      expect(status).toMatchObject({ redis: { ok: true }, ownRedis: { ok: false } });
      const refused = await harness.request('POST', `/api/users/${userId}/refresh`, {
        role: 'ops',
        body: { planId: preview.body.planId },
      });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('REDIS_UNAVAILABLE');
    } finally {
      harness.ownRedisServer?.resume();
    }
    await waitUntil(
      async () => (await harness.request('GET', '/readyz')).status,
      (code) => code === 200,
      5_000,
    );
    expect(await harness.snapshot()).toEqual(before);
    const applied = await refresh(userId, { planId: preview.body.planId });
    expect(applied.body.applied).toBe(true);
    expect(await harness.services.audit.get(applied.body.auditId as string)).not.toBeNull();
  });

  it('the Status page reports the own Redis: its eviction, persistence and a lost audit history, not the cache’s', async () => {
    const status = async () =>
      (await (await harness.request('GET', '/api/status', { role: 'support' })).json()) as StatusBody;
    // a cache Redis as often run: evicting, keeping nothing; the own one kept (AOF from the test above)
    await app.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await own.config('SET', 'maxmemory-policy', 'noeviction');
    const kept = await status();
    expect(kept.ownRedis).toMatchObject({ ok: true });
    expect(kept.ownStore).toMatchObject({ evicts: false, persists: true, historyLost: null, warnings: [] });

    await own.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const evicting = await status();
    expect(evicting.ownStore.warnings.join(' ')).toMatch(/evicts keys \(maxmemory-policy allkeys-lru\)/);
    await own.config('SET', 'maxmemory-policy', 'noeviction');

    // the app Redis restarting empty is the cache's business: the audit history is intact
    await harness.redisServer.crash();
    await harness.redisServer.restart({ appendOnly: false });
    const afterAppRestart = await waitUntil(status, (body) => body.redis.ok, 5_000);
    expect(afterAppRestart.ownStore.historyLost).toBeNull();

    // the own Redis restarting without its data is a lost history, said on Status and Audit log
    await harness.ownRedisServer?.crash();
    await harness.ownRedisServer?.restart({ appendOnly: false });
    const lost = await waitUntil(status, (body) => body.ownRedis?.ok === true, 5_000);
    expect(lost.ownStore.persists).toBe(false);
    expect(lost.ownStore.warnings.join(' ')).toMatch(/^Audit history lost at \S+: Redis restarted/);
    const audit = (await (await harness.request('GET', '/api/audit', { role: 'support' })).json()) as {
      entries: unknown[];
      historyLost: { at: string } | null;
    };
    expect(audit.entries).toEqual([]);
    expect(audit.historyLost?.at).toEqual(lost.ownStore.historyLost?.at);
  });
});
