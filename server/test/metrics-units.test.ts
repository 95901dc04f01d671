import { describe, expect, it } from 'vitest';
import { p95FromAppBuckets } from '../src/metrics/app-counters';
import { downsample } from '../src/metrics/downsample';

describe('downsample', () => {
  it('leaves a short series alone and averages a long one into at most maxPoints buckets', () => {
    const short = [{ t: 0, v: 1 }];
    expect(downsample(short, 0, 100, 10)).toBe(short);
    const points = Array.from({ length: 1000 }, (_, i) => ({ t: i, v: i % 2 }));
    const out = downsample(points, 0, 999, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.every((p) => p.v === 0.5)).toBe(true);
  });

  it('keeps a gap a gap (no invented zeros)', () => {
    const points = [
      ...Array.from({ length: 300 }, (_, i) => ({ t: i, v: 1 })),
      ...Array.from({ length: 300 }, (_, i) => ({ t: 700 + i, v: 1 })),
    ];
    const out = downsample(points, 0, 999, 100);
    expect(out.some((p) => p.t >= 310 && p.t < 690)).toBe(false);
    expect(out.every((p) => p.v === 1)).toBe(true);
  });
});

describe("the app's latency buckets", () => {
  // fields: ms:5, ms:10, ms:25, ms:50, ms:100, ms:250, ms:500, ms:1000, ms:2500, ms:inf
  it('reports the bound of the bucket holding the 95th percentile; no lookups is no data', () => {
    expect(p95FromAppBuckets(new Array(10).fill(0))).toBeNull();
    const buckets = new Array(10).fill(0);
    buckets[1] = 95; // ≤ 10 ms
    buckets[6] = 5; // ≤ 500 ms
    expect(p95FromAppBuckets(buckets)).toBe(10);
    buckets[1] = 94;
    buckets[6] = 6;
    expect(p95FromAppBuckets(buckets)).toBe(500);
    const slow = new Array(10).fill(0);
    slow[9] = 3; // ms:inf: slower than the last bound, which is what can be said
    expect(p95FromAppBuckets(slow)).toBe(2500);
  });
});
