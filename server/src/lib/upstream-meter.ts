/**
 * Every upstream call goes through `measure`: it gets a deadline and is counted (calls, errors,
 * latency), which the metrics collector later turns into the API error rate and p95 latency.
 */
export const UPSTREAMS = ['stripe', 'clerk', 'generation'] as const;
export type Upstream = (typeof UPSTREAMS)[number];

export class UpstreamTimeoutError extends Error {
  constructor(
    readonly upstream: Upstream,
    readonly timeoutMs: number,
  ) {
    super(`${upstream} did not answer within ${timeoutMs} ms`);
  }
}

/** Upper bounds (ms) of the latency histogram buckets; the last bucket is open-ended. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

export interface UpstreamCounters {
  calls: number;
  errors: number;
  totalLatencyMs: number;
  /** counts per LATENCY_BUCKETS_MS bucket, plus one overflow bucket */
  latencyBuckets: number[];
}

const emptyCounters = (): UpstreamCounters => ({
  calls: 0,
  errors: 0,
  totalLatencyMs: 0,
  latencyBuckets: new Array(LATENCY_BUCKETS_MS.length + 1).fill(0),
});

export class UpstreamMeter {
  private readonly counters = new Map<Upstream, UpstreamCounters>(UPSTREAMS.map((u) => [u, emptyCounters()]));

  constructor(private readonly now: () => number = () => performance.now()) {}

  record(upstream: Upstream, latencyMs: number, ok: boolean): void {
    const counters = this.counters.get(upstream) ?? emptyCounters();
    counters.calls += 1;
    if (!ok) counters.errors += 1;
    counters.totalLatencyMs += latencyMs;
    const bucket = LATENCY_BUCKETS_MS.findIndex((bound) => latencyMs <= bound);
    const index = bucket === -1 ? LATENCY_BUCKETS_MS.length : bucket;
    counters.latencyBuckets[index] = (counters.latencyBuckets[index] ?? 0) + 1;
    this.counters.set(upstream, counters);
  }

  /**
   * Runs `call` with an AbortSignal that fires after `timeoutMs`; callers pass it on to fetch
   * where they can. The deadline holds even for clients that ignore the signal.
   */
  async measure<T>(
    upstream: Upstream,
    timeoutMs: number,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const started = this.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Reject first: aborting makes the call reject too, and the timeout must be what callers see.
        reject(new UpstreamTimeoutError(upstream, timeoutMs));
        controller.abort();
      }, timeoutMs);
    });
    try {
      const result = await Promise.race([call(controller.signal), deadline]);
      this.record(upstream, this.now() - started, true);
      return result;
    } catch (error) {
      this.record(upstream, this.now() - started, isExpectedAnswer(error));
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  snapshot(): Record<Upstream, UpstreamCounters> {
    const copy = (c: UpstreamCounters) => ({ ...c, latencyBuckets: [...c.latencyBuckets] });
    return Object.fromEntries(
      UPSTREAMS.map((u) => [u, copy(this.counters.get(u) ?? emptyCounters())]),
    ) as Record<Upstream, UpstreamCounters>;
  }
}

/** A 404 is the upstream answering correctly ("no such user"), not an upstream failure. */
function isExpectedAnswer(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const status =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  return status === 404;
}
