import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue, type JobWorker, startJobWorker } from '../src/jobs/runner';
import {
  HEALTH_SWEEP_SCHEDULER_ID,
  SCHEDULE_STAFF,
  scheduleEvery,
  startScheduledHealthSweep,
} from '../src/jobs/scheduled-sweep';
import { MetricsCollector } from '../src/metrics/collector';
import { lastHealthSweepKey } from '../src/metrics/sweep-figures';
import { runScheduledSessionSweep } from '../src/services/session-sweep';
import { type Harness, startHarness } from './harness';

/**
 * The figures that come from scheduled runs (SPEC §5), on real Redis, BullMQ and the sandbox
 * upstreams: the health sweep on its BullMQ schedule feeding the sync failure rate, one at a time;
 * the session sweep feeding the session lookup and generation success rates.
 */

let harness: Harness;
let worker: JobWorker;

beforeAll(async () => {
  harness = await startHarness({ users: 60, env: { SWEEP_EVERY_MS: '1000' } });
  worker = await startJobWorker(harness.services);
});

afterAll(async () => {
  await scheduleEvery(harness.services.jobQueue, HEALTH_SWEEP_SCHEDULER_ID, 0).catch(() => undefined);
  await worker?.close();
  await harness?.close();
});

async function until<T>(read: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('figures from scheduled runs', () => {
  it('the scheduled health sweep runs on its own and feeds the sync failure rate; never two at once', async () => {
    const { services } = harness;
    await scheduleEvery(services.jobQueue, HEALTH_SWEEP_SCHEDULER_ID, services.config.sweepEveryMs);
    const summary = await until(async () => {
      const raw = await services.redis.get(lastHealthSweepKey(services));
      return raw
        ? (JSON.parse(raw) as { jobId: string; checked: number; outOfSync: number; at: string })
        : null;
    });
    await scheduleEvery(services.jobQueue, HEALTH_SWEEP_SCHEDULER_ID, 0);
    expect(summary.checked).toBeGreaterThanOrEqual(50);
    expect(summary.outOfSync).toBeGreaterThan(0); // the seed plants users out of sync
    const job = await new JobQueue(services).store.get(summary.jobId);
    expect(job?.type).toBe('sweep');
    expect(job?.actor).toBe(SCHEDULE_STAFF.id);

    const collector = new MetricsCollector(services);
    const at = Date.parse(summary.at);
    const sample = await collector.sampleOnce(at + 500);
    expect(sample?.values.syncFailureRate).toBeCloseTo(summary.outOfSync / summary.checked, 6);
    expect(sample?.sources.syncFailureRate).toEqual({ source: 'sweep', at });
    // older than two intervals (2 s here): no data
    const stale = await collector.sampleOnce(at + 2_500);
    expect(stale?.values.syncFailureRate).toBeNull();
    await collector.stop();

    // one at a time: while a scheduled sweep is queued or running, the next tick starts none
    const jobs = new JobQueue(services);
    const settled = async (jobId: string) =>
      until(async () => {
        const record = await jobs.store.get(jobId);
        return record && record.state !== 'queued' && record.state !== 'running' ? record : null;
      });
    // a tick queued before the schedule was removed may still have started one: let it finish
    const latest = await services.redis.get(services.keys.own('jobs:scheduled-health-sweep'));
    if (latest) await settled(latest);
    const [first, second] = await Promise.all([
      startScheduledHealthSweep(services, jobs),
      startScheduledHealthSweep(services, jobs),
    ]);
    expect([first, second].filter((id) => id !== null)).toHaveLength(1);
    expect(await startScheduledHealthSweep(services, jobs)).toBeNull();
    await settled((first ?? second) as string);
    expect(await startScheduledHealthSweep(services, jobs)).not.toBeNull();
  });

  it('the scheduled session sweep feeds the session lookup and generation success rates', async () => {
    const { services } = harness;
    const summary = await runScheduledSessionSweep(services);
    expect(summary.paid).toBeGreaterThan(0);
    const collector = new MetricsCollector(services);
    const sample = await collector.sampleOnce(Date.parse(summary.at) + 1_000);
    await collector.stop();
    expect(sample?.values.sessionLookupSuccessRate).toBeCloseTo(summary.paidWithPrompt / summary.paid, 6);
    expect(sample?.sources.sessionLookupSuccessRate.source).toBe('stripe');
    const { completed, failed, stuck } = summary.generations;
    expect(completed + failed + stuck).toBeGreaterThan(0);
    expect(sample?.values.generationSuccessRate).toBeCloseTo(completed / (completed + failed + stuck), 6);
    expect(sample?.sources.generationSuccessRate.source).toBe('generation');
    expect(sample?.values.webhookSuccessRate).toBe(summary.rate);
    expect(sample?.sources.webhookSuccessRate.source).toBe('stripe');
  });
});
