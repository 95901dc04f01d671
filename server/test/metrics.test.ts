import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeSource } from '@cache-doctor/shared';
import { appCountersKey, createAppReporter } from '@cache-doctor/shared/reporter';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertNotification } from '../src/domain/alerts';
import { createKeys } from '../src/keys';
import { APP_BUCKET_FIELDS, p95FromAppBuckets } from '../src/metrics/app-counters';
import { MetricsCollector } from '../src/metrics/collector';
import { AlertNotifier } from '../src/metrics/notifier';
import { MAX_POINTS } from '../src/metrics/store';
import { recordHealthSweep } from '../src/metrics/sweep-figures';
import { type Harness, startHarness } from './harness';

/**
 * The collector against a real redis-server and the sandbox upstreams, driven sample by sample
 * with explicit times (`sampleOnce(now)`): no timers, no sleeps. ALERT_FOR_MS is 30 s of those
 * explicit times, so three 10 s samples of breach make an alert fire.
 */

interface Receiver {
  url: string;
  messages: AlertNotification[];
  /** answer the next N posts with 503 */
  failNext: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver = { messages: [] as AlertNotification[], failNext: 0 } as Receiver;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      if (receiver.failNext > 0) {
        receiver.failNext -= 1;
        res.writeHead(503).end();
        return;
      }
      receiver.messages.push(JSON.parse(body) as AlertNotification);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}

let harness: Harness;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  harness = await startHarness({
    users: 40,
    env: {
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_FOR_MS: '30000',
      METRICS_SAMPLE_MS: '10000',
      SWEEP_EVERY_MS: '60000',
    },
  });
});

afterAll(async () => {
  await harness?.close();
  await receiver?.close();
});

afterEach(() => {
  harness.sandbox.faults.clerk.reset();
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** A fresh collector (no baseline) with fresh alert state, as after a restart. */
async function freshCollector(notifier?: AlertNotifier, services = harness.services) {
  const collector = new MetricsCollector(services, notifier ? { notifier } : {});
  await harness.services.redis.del(
    collector.store.alertsKey,
    harness.services.keys.own('metrics:sampler-lock'),
  );
  return collector;
}

const messagesFor = (metric: string) => receiver.messages.filter((m) => m.metric === metric);

/**
 * A simulated app: its customer lookups are real two-step reads of this Redis (a cached customer,
 * or an absent one that falls back to "Stripe"), reported through the reporter at the clock the
 * test gives, as the app would at that time.
 */
function simulatedApp(clock: { now: number }) {
  const reporter = createAppReporter(harness.services.redis, { now: () => clock.now });
  const { keys, redis } = harness.services;
  const twoStep = async (userId: string) => {
    const customerId = await redis.get(keys.user(userId));
    return customerId ? redis.get(keys.customer(customerId)) : null;
  };
  return {
    reporter,
    /** `lookups` lookups, of which `misses` miss; every `errorEvery`-th fallback fails */
    async traffic(lookups: number, misses: number, errorEvery = 0) {
      for (let i = 0; i < lookups; i += 1) {
        const userId = i < misses ? `user_simMissing${i}` : 'user_simCached';
        await reporter
          .lookup(
            () => twoStep(userId),
            async () => {
              if (errorEvery > 0 && i % errorEvery === 0) throw new Error('stripe 500');
              return '{"from":"stripe"}';
            },
          )
          .catch(() => undefined);
      }
      await reporter.flush();
    },
  };
}

beforeAll(async () => {
  await harness.services.redis.set(harness.services.keys.user('user_simCached'), 'cus_simCached');
  await harness.services.redis.set(
    harness.services.keys.customer('cus_simCached'),
    JSON.stringify({ stripeCustomerId: 'cus_simCached', email: 'sim@example.com', subscriptions: [] }),
  );
});

/** The app's latency bucket counts of the current and previous minute, as Redis holds them. */
async function appBuckets(now: number): Promise<number[]> {
  const minute = Math.floor(now / MINUTE);
  const hashes = await Promise.all(
    [minute - 1, minute].map((m) =>
      harness.services.redis.hgetall(appCountersKey(harness.services.config.ownPrefix, m)),
    ),
  );
  return APP_BUCKET_FIELDS.map((field) => hashes.reduce((sum, hash) => sum + Number(hash[field] ?? 0), 0));
}

/** GETs of health pages of users nobody cached: every one is a Redis miss of Cache Doctor's own. */
async function floodHealthReads(count: number) {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      harness.request('GET', `/api/users/user_floodUncached${i}/health`, { role: 'support' }),
    ),
  );
}

describe('metrics collector on real Redis', () => {
  it("the app's figures: 99 % reported hits stay 0.99 while staff flood Cache Doctor with misses", async () => {
    const collector = await freshCollector();
    const clock = { now: Date.now() - 20 * MINUTE }; // the recent past, so GET /api/metrics sees it
    const app = simulatedApp(clock);
    await app.traffic(10, 0);
    const first = await collector.sampleOnce(clock.now);
    // no baseline yet: no data, not 0 %
    expect(first?.values.cacheHitRate).toBeNull();
    expect(first?.sources.cacheHitRate.source).toBe('app');

    // Cache Doctor's own upstream calls all fail meanwhile: not the app's error rate
    harness.sandbox.faults.clerk.set({ serverErrorFraction: 1 });
    for (let i = 0; i < 5; i += 1) await harness.services.clerk.probe().catch(() => undefined);
    const before = await harness.services.redis.info('stats');
    for (let step = 1; step <= 3; step += 1) {
      clock.now += 10 * SECOND;
      const bucketsBefore = await appBuckets(clock.now);
      await Promise.all([app.traffic(200, 2, 1), floodHealthReads(100)]);
      const gained = (await appBuckets(clock.now)).map((n, i) => n - (bucketsBefore[i] ?? 0));
      const sample = await collector.sampleOnce(clock.now);
      expect(sample?.values.cacheHitRate).toBeGreaterThanOrEqual(0.98);
      expect(sample?.values.cacheHitRate).toBeLessThanOrEqual(1);
      expect(sample?.values.cacheHitRate).toBeCloseTo(0.99, 5);
      expect(sample?.sources.cacheHitRate).toEqual({ source: 'app' });
      // two failed fallbacks of two upstream calls: the app's, not Cache Doctor's 100 %
      expect(sample?.values.apiErrorRate).toBe(1);
      expect(sample?.sources.apiErrorRate).toEqual({ source: 'app' });
      // the bound of the bucket the app's own counters put its 95th percentile lookup in
      expect(sample?.values.responseTimeP95).toBe(p95FromAppBuckets(gained));
      expect(sample?.sources.responseTimeP95).toEqual({ source: 'app' });
    }
    // Redis itself saw the flood's misses: a keyspace hit rate would have been far below 0.99
    const missesOf = (info: string) => Number(/^keyspace_misses:(\d+)/m.exec(info)?.[1]);
    expect(missesOf(await harness.services.redis.info('stats')) - missesOf(before)).toBeGreaterThan(300);
    harness.sandbox.faults.clerk.reset();

    // upstream errors the app reports: 1 of 10 fallbacks fails
    clock.now += 10 * SECOND;
    await app.traffic(40, 20, 10);
    const errors = await collector.sampleOnce(clock.now);
    expect(errors?.values.apiErrorRate).toBeCloseTo(0.1, 5);
    expect(errors?.values.cacheHitRate).toBeCloseTo(0.5, 5);

    // a sample in which the app reported nothing adds no point, and the source stays the app
    clock.now += 10 * SECOND;
    const quiet = await collector.sampleOnce(clock.now);
    expect(quiet?.values.cacheHitRate).toBeNull();
    expect(quiet?.sources.cacheHitRate.source).toBe('app');
    // after 5 minutes without reports: the probe
    clock.now += 6 * MINUTE;
    const silent = await collector.sampleOnce(clock.now);
    expect(silent?.sources.cacheHitRate.source).toBe('probe');
    expect(silent?.sources.apiErrorRate.source).toBe('doctor');

    const response = await harness.request('GET', '/api/metrics?range=1h', { role: 'support' });
    const body = (await response.json()) as {
      series: Record<string, { t: number; v: number }[]>;
      sources: Record<string, string>;
      thresholds: Record<string, { op: string; value: number }>;
    };
    expect(body.sources.cacheHitRate).toBe('probe');
    expect(body.sources.redisMemory).toBe('redis');
    expect(Object.keys(body.sources).sort()).toEqual(Object.keys(body.thresholds).sort());
    expect(body.thresholds.generationSuccessRate).toEqual({ op: '<', value: 0.95 });
    expect(body.thresholds.sessionLookupSuccessRate).toEqual({ op: '<', value: 0.95 });
    const points = body.series.cacheHitRate?.filter((p) => p.t <= clock.now - 6 * MINUTE) ?? [];
    expect(points.slice(0, 3).map((p) => p.v)).toEqual([0.99, 0.99, 0.99]);
  });

  it('the probe: with no reports, 200 sampled users of whom 30 miss show 0.85, one round trip per 100', async () => {
    const probeKeys = createKeys(
      {
        ...harness.services.config.keys,
        user: 'probe-user:{userId}',
        customer: 'probe-customer:{customerId}',
      },
      harness.services.config.ownPrefix,
    );
    const services = { ...harness.services, keys: probeKeys };
    const write = harness.services.redis.pipeline();
    for (let i = 0; i < 200; i += 1) {
      write.set(probeKeys.user(`user_probe${i}`), `cus_probe${i}`);
      // 20 records missing, 10 unreadable: 30 lookups that miss
      if (i < 20) continue;
      write.set(
        probeKeys.customer(`cus_probe${i}`),
        i < 30
          ? 'not json'
          : JSON.stringify({ stripeCustomerId: `cus_probe${i}`, email: `p${i}@example.com` }),
      );
    }
    await write.exec();
    const collector = await freshCollector(undefined, services);
    const t0 = Date.now() + 2 * 86_400_000; // no app report anywhere near
    const evals = async () =>
      Number(/^cmdstat_eval:calls=(\d+)/m.exec(await harness.services.redis.info('commandstats'))?.[1] ?? 0);
    const evalsBefore = await evals();
    const sample = await collector.sampleOnce(t0);
    expect(sample?.sources.cacheHitRate).toEqual({ source: 'probe', sampled: 200 });
    expect(Math.abs((sample?.values.cacheHitRate ?? 0) - 0.85)).toBeLessThanOrEqual(0.05);
    expect(sample?.values.cacheHitRate).toBeCloseTo(0.85, 5);
    expect(sample?.sources.responseTimeP95.source).toBe('probe');
    expect(sample?.values.responseTimeP95).toBeGreaterThan(0);
    // two probe batches (and the lease, the series writes: scripts of their own)
    const probeCalls = (await evals()) - evalsBefore;
    expect(probeCalls).toBeGreaterThanOrEqual(2);
    expect(sample?.alerts.find((a) => a.metric === 'cacheHitRate')?.state).toBe('pending');
  });

  it("alert lifecycle from the app's counters: pending → firing → resolved, one message each", async () => {
    const collector = await freshCollector();
    const clock = { now: Date.now() + 3 * 86_400_000 };
    const app = simulatedApp(clock);
    await app.traffic(20, 0);
    await collector.sampleOnce(clock.now);
    const states: string[] = [];
    for (let step = 1; step <= 5; step += 1) {
      clock.now += 10 * SECOND;
      await app.traffic(20, 10);
      const sample = await collector.sampleOnce(clock.now);
      expect(sample?.values.cacheHitRate).toBeCloseTo(0.5, 5);
      states.push(sample?.alerts.find((a) => a.metric === 'cacheHitRate')?.state ?? '');
    }
    expect(states).toEqual(['pending', 'pending', 'pending', 'firing', 'firing']);
    expect(messagesFor('cacheHitRate')).toEqual([
      expect.objectContaining({ metric: 'cacheHitRate', state: 'firing', value: 0.5, threshold: 0.95 }),
    ]);
    expect(messagesFor('cacheHitRate')[0]?.text).toMatch(
      /^:rotating_light: Cache hit rate \(reported by the app\) is 50 %, below 95 %/,
    );
    for (let step = 6; step <= 7; step += 1) {
      clock.now += 10 * SECOND;
      await app.traffic(20, 0);
      await collector.sampleOnce(clock.now);
    }
    expect(messagesFor('cacheHitRate').map((m) => m.state)).toEqual(['firing', 'resolved']);
    expect(messagesFor('cacheHitRate')[1]?.text).toMatch(
      /Cache hit rate \(reported by the app\) is back to 100 %/,
    );
  });

  it("sync failure rate: the latest sweep's figure, no data once older than two intervals", async () => {
    const collector = await freshCollector();
    const finishedAt = Date.now() + 4 * 86_400_000;
    await recordHealthSweep(harness.services, {
      jobId: 'job-sync-test',
      at: new Date(finishedAt).toISOString(),
      checked: 200,
      outOfSync: 8,
    });
    const every = harness.services.config.sweepEveryMs; // 60 s in this suite
    const fresh = await collector.sampleOnce(finishedAt + every);
    expect(fresh?.values.syncFailureRate).toBeCloseTo(0.04, 5);
    expect(fresh?.sources.syncFailureRate).toEqual({ source: 'sweep', at: finishedAt });
    expect(
      describeSource(fresh?.sources.syncFailureRate ?? { source: 'sweep' }, finishedAt + 14 * MINUTE),
    ).toBe('latest sweep, 14 min ago');
    const stale = await collector.sampleOnce(finishedAt + 2 * every + SECOND);
    expect(stale?.values.syncFailureRate).toBeNull();
    expect(stale?.alerts.find((a) => a.metric === 'syncFailureRate')?.state).toBe('nodata');
  });

  it("Redis memory against the machine's memory when maxmemory is 0", async () => {
    const collector = await freshCollector();
    const sample = await collector.sampleOnce(Date.now() + 5 * 86_400_000);
    expect(sample?.sources.redisMemory).toEqual({ source: 'redis', of: 'system' });
    expect(sample?.values.redisMemory).toBeGreaterThan(0);
    expect(sample?.values.redisMemory).toBeLessThan(0.5);
    await harness.services.redis.config('SET', 'maxmemory', '512mb');
    try {
      const limited = await collector.sampleOnce(Date.now() + 5 * 86_400_000 + 10 * SECOND);
      expect(limited?.sources.redisMemory).toEqual({ source: 'redis', of: 'maxmemory' });
      const used = Number(/^used_memory:(\d+)/m.exec(await harness.services.redis.info('memory'))?.[1]);
      expect(limited?.values.redisMemory).toBeCloseTo(used / (512 * 1024 * 1024), 2);
    } finally {
      await harness.services.redis.config('SET', 'maxmemory', '0');
    }
  });

  it('only one instance samples at a time (Redis lease)', async () => {
    const a = await freshCollector();
    const b = new MetricsCollector(harness.services);
    const now = Date.now() + 7_200_000;
    expect(await a.sampleOnce(now)).not.toBeNull();
    expect(await b.sampleOnce(now + 1)).toBeNull();
    expect(await a.sampleOnce(now + 10 * SECOND)).not.toBeNull();
    await a.stop(); // releases the lease
    expect(await b.sampleOnce(now + 20 * SECOND)).not.toBeNull();
    await b.stop();
  });

  it('retries a failed webhook delivery with backoff, a bounded number of times', async () => {
    const notifier = new AlertNotifier({ url: receiver.url, attempts: 3, firstDelayMs: 1, log: () => {} });
    const message: AlertNotification = {
      metric: 'redisMemory',
      state: 'firing',
      value: 0.97,
      threshold: 0.9,
      since: 1,
      text: 'x',
    };
    receiver.failNext = 2;
    expect(await notifier.send(message)).toBe(true);
    expect(messagesFor('redisMemory')).toHaveLength(1);
    receiver.failNext = 3;
    expect(await notifier.send(message)).toBe(false);
    expect(receiver.failNext).toBe(0);
    expect(messagesFor('redisMemory')).toHaveLength(1);
  });

  it('answers a bad range with 400, a missing identity with 401, and serves /metrics without one', async () => {
    expect((await harness.request('GET', '/api/metrics?range=2d', { role: 'support' })).status).toBe(400);
    expect((await harness.request('GET', '/api/metrics?range=1h')).status).toBe(401);
    const scrape = await harness.request('GET', '/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await scrape.text();
    expect(text).toMatch(/^# TYPE cache_doctor_cache_hit_ratio gauge$/m);
    expect(text).toMatch(/^cache_doctor_alert_state\{metric="generationSuccessRate",state="nodata"\} 1$/m);
    expect(text).toMatch(/^cache_doctor_webhook_success_ratio\{metric="webhookSuccessRate"\} [\d.]+$/m);
    expect(text).not.toMatch(/^cache_doctor_generation_success_ratio\{/m); // no data: absent, not 0
    expect(text).toMatch(/^cache_doctor_metric_source\{metric="cacheHitRate",source="(app|probe)"\} 1$/m);
    // Cache Doctor's own traffic has series of its own
    expect(text).toMatch(
      /^cache_doctor_own_upstream_calls_total\{upstream="clerk",outcome="error"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(/^cache_doctor_own_http_request_duration_ms_bucket\{le="\+Inf"\} [1-9]\d*$/m);
    expect(text).not.toMatch(/user_|cus_|cs_test_/);
  });

  it('keeps every range within the point budget', async () => {
    const collector = await freshCollector();
    // an hour of 5 s samples and a week at 5 minutes, straight through the store
    const now = Date.now() + 30 * 86_400_000; // clear of the other tests' samples
    const values = {
      cacheHitRate: 0.99,
      syncFailureRate: null,
      apiErrorRate: 0,
      responseTimeP95: 40,
      webhookSuccessRate: 1,
      generationSuccessRate: null,
      sessionLookupSuccessRate: 1,
      redisMemory: null,
    };
    const times: number[] = [];
    for (let t = now - 3_600_000; t <= now; t += 5_000) times.push(t);
    for (let t = now - 7 * 86_400_000; t < now - 3_600_000; t += 300_000) times.push(t);
    // in slices, as samples arrive: one burst of thousands of scripts would outlast the command deadline
    for (let start = 0; start < times.length; start += 100)
      await Promise.all(times.slice(start, start + 100).map((t) => collector.store.record({ t, values })));
    for (const range of ['1h', '24h', '7d'] as const) {
      const series = await collector.store.readSeries(range, now);
      expect(series.cacheHitRate.length).toBeGreaterThan(0);
      expect(series.cacheHitRate.length).toBeLessThanOrEqual(MAX_POINTS);
      expect(series.cacheHitRate.every((p) => Math.abs(p.v - 0.99) < 1e-9)).toBe(true);
    }
  });
});
