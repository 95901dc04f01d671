import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertNotification } from '../src/domain/alerts';
import { MetricsCollector } from '../src/metrics/collector';
import { AlertNotifier } from '../src/metrics/notifier';
import { MAX_POINTS } from '../src/metrics/store';
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
const SEEDED_KEY = 'metrics-test:present';

beforeAll(async () => {
  receiver = await startReceiver();
  harness = await startHarness({
    users: 40,
    env: { ALERT_WEBHOOK_URL: receiver.url, ALERT_FOR_MS: '30000', METRICS_SAMPLE_MS: '10000' },
  });
  await harness.services.redis.set(SEEDED_KEY, 'x');
});

afterAll(async () => {
  await harness?.close();
  await receiver?.close();
});

afterEach(() => {
  harness.sandbox.faults.clerk.reset();
});

const SECOND = 1000;

/** GETs of a present key (hits) or of absent keys (misses), pipelined. */
async function lookups(kind: 'hits' | 'misses', count: number) {
  const pipeline = harness.services.redis.pipeline();
  for (let i = 0; i < count; i += 1) pipeline.get(kind === 'hits' ? SEEDED_KEY : `metrics-test:absent:${i}`);
  await pipeline.exec();
}

const messagesFor = (metric: string) => receiver.messages.filter((m) => m.metric === metric);

/** A fresh collector (no baseline) with fresh alert state, as after a restart. */
async function freshCollector(notifier?: AlertNotifier) {
  const collector = new MetricsCollector(harness.services, notifier ? { notifier } : {});
  await harness.services.redis.del(
    collector.store.alertsKey,
    harness.services.keys.own('metrics:sampler-lock'),
  );
  return collector;
}

describe('metrics collector on real Redis', () => {
  it('cache hit rate: misses drive it under 95 % → pending → firing, one message; hits resolve it once', async () => {
    const collector = await freshCollector();
    const t0 = Date.now() - 10 * 60 * SECOND; // samples in the recent past, so GET /api/metrics sees them
    const first = await collector.sampleOnce(t0);
    // no baseline yet: no data, not 0 %
    expect(first?.values.cacheHitRate).toBeNull();
    expect(first?.alerts.find((a) => a.metric === 'cacheHitRate')?.state).toBe('nodata');

    await lookups('hits', 200);
    const healthy = await collector.sampleOnce(t0 + 10 * SECOND);
    expect(healthy?.values.cacheHitRate).toBe(1);

    const states: string[] = [];
    for (let step = 2; step <= 6; step += 1) {
      await lookups('misses', 100);
      await lookups('hits', 100);
      const sample = await collector.sampleOnce(t0 + step * 10 * SECOND);
      expect(sample?.values.cacheHitRate).toBeCloseTo(0.5, 5);
      states.push(sample?.alerts.find((a) => a.metric === 'cacheHitRate')?.state ?? '');
    }
    expect(states).toEqual(['pending', 'pending', 'pending', 'firing', 'firing']);
    expect(messagesFor('cacheHitRate')).toEqual([
      expect.objectContaining({ metric: 'cacheHitRate', state: 'firing', value: 0.5, threshold: 0.95 }),
    ]);
    expect(messagesFor('cacheHitRate')[0]?.text).toMatch(
      /^:rotating_light: Cache hit rate is 50 %, below 95 %/,
    );

    await lookups('hits', 500);
    const restored = await collector.sampleOnce(t0 + 70 * SECOND);
    expect(restored?.alerts.find((a) => a.metric === 'cacheHitRate')?.state).toBe('ok');
    await lookups('hits', 500);
    await collector.sampleOnce(t0 + 80 * SECOND);
    expect(messagesFor('cacheHitRate').map((m) => m.state)).toEqual(['firing', 'resolved']);

    // the API serves the history, the thresholds and the states (SPEC §6.4)
    const response = await harness.request('GET', '/api/metrics?range=1h', { role: 'support' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      series: Record<string, { t: number; v: number }[]>;
      thresholds: Record<string, { op: string; value: number }>;
      alerts: { metric: string; state: string }[];
    };
    expect(body.thresholds.cacheHitRate).toEqual({ op: '<', value: 0.95 });
    expect(body.thresholds.responseTimeP95).toEqual({ op: '>', value: 500 });
    expect(body.series.cacheHitRate?.length).toBeGreaterThanOrEqual(7);
    expect(body.series.cacheHitRate?.every((p) => typeof p.t === 'number' && typeof p.v === 'number')).toBe(
      true,
    );
    expect(body.alerts.find((a) => a.metric === 'cacheHitRate')?.state).toBe('ok');
    // maxmemory is 0 on the test redis-server: no data, never 0 %
    expect(body.alerts.find((a) => a.metric === 'redisMemory')?.state).toBe('nodata');
    expect(body.series.redisMemory).toEqual([]);
  });

  it('API error rate: the sandbox 5xx switch fires it once; recovery resolves it once', async () => {
    const collector = await freshCollector();
    const { clerk } = harness.services;
    const t0 = Date.now() + 3_600_000; // after the previous test's samples
    await collector.sampleOnce(t0);
    for (let i = 0; i < 5; i += 1) await clerk.probe();
    expect((await collector.sampleOnce(t0 + 10 * SECOND))?.values.apiErrorRate).toBe(0);

    harness.sandbox.faults.clerk.set({ serverErrorFraction: 1 });
    for (let step = 2; step <= 6; step += 1) {
      for (let i = 0; i < 5; i += 1) await clerk.probe().catch(() => undefined);
      const sample = await collector.sampleOnce(t0 + step * 10 * SECOND);
      expect(sample?.values.apiErrorRate).toBe(1);
    }
    expect(messagesFor('apiErrorRate')).toEqual([
      expect.objectContaining({ state: 'firing', value: 1, threshold: 0.01 }),
    ]);

    harness.sandbox.faults.clerk.reset();
    for (let i = 0; i < 5; i += 1) await clerk.probe();
    await collector.sampleOnce(t0 + 70 * SECOND);
    for (let i = 0; i < 5; i += 1) await clerk.probe();
    await collector.sampleOnce(t0 + 80 * SECOND);
    expect(messagesFor('apiErrorRate').map((m) => m.state)).toEqual(['firing', 'resolved']);

    // no calls in an interval: no data, not 0 %
    const idle = await collector.sampleOnce(t0 + 90 * SECOND);
    expect(idle?.values.apiErrorRate).toBeNull();
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
    expect(text).toMatch(/^cache_doctor_alert_state\{metric="redisMemory",state="nodata"\} 1$/m);
    expect(text).toMatch(/^cache_doctor_webhook_success_ratio\{metric="webhookSuccessRate"\} [\d.]+$/m);
    expect(text).not.toMatch(/^cache_doctor_redis_memory_ratio\{/m); // no data: absent, not 0
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
      redisMemory: null,
    };
    const times: number[] = [];
    for (let t = now - 3_600_000; t <= now; t += 5_000) times.push(t);
    for (let t = now - 7 * 86_400_000; t < now - 3_600_000; t += 300_000) times.push(t);
    await Promise.all(times.map((t) => collector.store.record({ t, values })));
    for (const range of ['1h', '24h', '7d'] as const) {
      const series = await collector.store.readSeries(range, now);
      expect(series.cacheHitRate.length).toBeGreaterThan(0);
      expect(series.cacheHitRate.length).toBeLessThanOrEqual(MAX_POINTS);
      expect(series.cacheHitRate.every((p) => Math.abs(p.v - 0.99) < 1e-9)).toBe(true);
    }
  });
});
