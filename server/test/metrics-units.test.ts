import { describe, expect, it } from 'vitest';
import { downsample } from '../src/metrics/downsample';
import { addBuckets, diffBuckets, quantileFromBuckets } from '../src/metrics/histogram';

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

describe('latency histogram', () => {
  // bounds: 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, +Inf
  it('interpolates the p95 inside its bucket; no observations is no data', () => {
    expect(quantileFromBuckets(new Array(12).fill(0), 0.95)).toBeNull();
    const buckets = new Array(12).fill(0);
    buckets[4] = 95; // 50–100 ms
    buckets[6] = 5; // 250–500 ms
    expect(quantileFromBuckets(buckets, 0.95)).toBe(100);
    buckets[4] = 90;
    buckets[6] = 10; // p95 half-way into 250–500
    expect(quantileFromBuckets(buckets, 0.95)).toBe(375);
    const overflow = new Array(12).fill(0);
    overflow[11] = 3;
    expect(quantileFromBuckets(overflow, 0.95)).toBe(10_000);
  });

  it('merges and differences bucket counts, never below zero', () => {
    expect(addBuckets([1, 2], [3])).toEqual([4, 2, ...new Array(10).fill(0)]);
    expect(diffBuckets([5, 1], [2, 4])).toEqual([3, 0]);
    expect(diffBuckets([5, 1], null)).toEqual([5, 1]);
  });
});
