import { describe, expect, it } from 'vitest';
import { UpstreamMeter, UpstreamTimeoutError } from './upstream-meter';

describe('UpstreamMeter', () => {
  it('counts calls, failures and latency per upstream', async () => {
    let clock = 0;
    const meter = new UpstreamMeter(() => clock);
    await meter.measure('stripe', 1000, async () => {
      clock += 30;
      return 'ok';
    });
    await expect(
      meter.measure('stripe', 1000, async () => {
        clock += 700;
        throw Object.assign(new Error('boom'), { statusCode: 500 });
      }),
    ).rejects.toThrow('boom');
    const stripe = meter.snapshot().stripe;
    expect(stripe).toMatchObject({ calls: 2, errors: 1, totalLatencyMs: 730 });
    expect(stripe.latencyBuckets[3]).toBe(1); // 30 ms ≤ 50 ms bucket
    expect(stripe.latencyBuckets[7]).toBe(1); // 700 ms ≤ 1000 ms bucket
    expect(meter.snapshot().clerk.calls).toBe(0);
  });

  it('does not count a 404 answer as an upstream error', async () => {
    const meter = new UpstreamMeter();
    await expect(
      meter.measure('clerk', 1000, async () => {
        throw Object.assign(new Error('not found'), { status: 404 });
      }),
    ).rejects.toThrow();
    expect(meter.snapshot().clerk).toMatchObject({ calls: 1, errors: 0 });
  });

  it('gives up at the deadline, aborts the call and counts it as an error', async () => {
    const meter = new UpstreamMeter();
    let aborted = false;
    const pending = meter.measure(
      'generation',
      20,
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    );
    await expect(pending).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(aborted).toBe(true);
    expect(meter.snapshot().generation).toMatchObject({ calls: 1, errors: 1 });
  });
});
