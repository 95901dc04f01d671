import { createMiddleware } from 'hono/factory';
import { LATENCY_BUCKETS_MS } from '../lib/upstream-meter';

/**
 * Cache Doctor's own request latencies, in the same buckets as the upstream meter so the two can
 * be merged into one p95. Counts only grow; the collector takes differences between samples.
 */
export class LatencyHistogram {
  private readonly buckets: number[] = new Array(LATENCY_BUCKETS_MS.length + 1).fill(0);

  record(latencyMs: number): void {
    const bucket = LATENCY_BUCKETS_MS.findIndex((bound) => latencyMs <= bound);
    const index = bucket === -1 ? LATENCY_BUCKETS_MS.length : bucket;
    this.buckets[index] = (this.buckets[index] ?? 0) + 1;
  }

  snapshot(): number[] {
    return [...this.buckets];
  }

  /** Times every request it wraps, errors included (a 500 is a response the user waited for). */
  middleware() {
    return createMiddleware(async (_c, next) => {
      const started = performance.now();
      try {
        await next();
      } finally {
        this.record(performance.now() - started);
      }
    });
  }
}

/** Bucket counts added element by element (any missing count is 0). */
export function addBuckets(...lists: number[][]): number[] {
  const out: number[] = new Array(LATENCY_BUCKETS_MS.length + 1).fill(0);
  for (const list of lists) {
    for (const [index, count] of list.entries()) out[index] = (out[index] ?? 0) + count;
  }
  return out;
}

/** `after - before`, never negative (a counter that went backwards means a restart: start afresh). */
export function diffBuckets(after: number[], before: number[] | null): number[] {
  return after.map((count, index) => Math.max(0, count - (before?.[index] ?? 0)));
}

/**
 * A quantile from bucket counts, interpolated linearly inside the bucket it falls in (as
 * Prometheus' histogram_quantile does); the open-ended last bucket reports its lower bound.
 * Null when there were no observations: no requests is no data, not 0 ms.
 */
export function quantileFromBuckets(buckets: number[], q: number): number | null {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (const [index, count] of buckets.entries()) {
    if (count === 0) continue;
    if (seen + count >= rank) {
      const lower = index === 0 ? 0 : (LATENCY_BUCKETS_MS[index - 1] ?? 0);
      const upper = LATENCY_BUCKETS_MS[index];
      if (upper === undefined) return lower;
      return lower + ((upper - lower) * (rank - seen)) / count;
    }
    seen += count;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1] ?? null;
}
