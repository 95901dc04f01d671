import { createMiddleware } from 'hono/factory';
import { LATENCY_BUCKETS_MS } from '../lib/upstream-meter';

/**
 * Cache Doctor's own request latencies, in the upstream meter's buckets, for its own Prometheus
 * series (never for the app's figures, SPEC §5). Counts only grow.
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
