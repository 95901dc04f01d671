import { APP_COUNTER_FIELDS, APP_LATENCY_BOUNDS_MS, latencyField } from '@cache-doctor/shared/reporter';
import type { Redis } from 'ioredis';
import { readAppCounterMinutes } from '../adapters/app-counter-store';

/**
 * The app's own lookup counters (SPEC §5.1), read as Redis' INFO counters are: each sample takes
 * what the per-minute hashes gained since the previous sample. A report can land in a minute
 * already read (the app batches, clocks differ by a little), so every sample re-reads the minutes
 * back to REPORT_WINDOW_MINUTES and compares each with what it held last time.
 */

/** No report for this long: the app figures fall back to their next source. */
export const APP_SILENCE_MS = 5 * 60_000;
const REPORT_WINDOW_MINUTES = APP_SILENCE_MS / 60_000;

export const APP_BUCKET_FIELDS = [...APP_LATENCY_BOUNDS_MS.map((ms) => latencyField(ms)), 'ms:inf'] as const;

export interface AppCounts {
  lookups: number;
  hits: number;
  upstreamCalls: number;
  upstreamErrors: number;
  /** counts per APP_BUCKET_FIELDS bucket */
  buckets: number[];
}

export interface AppDelta {
  /** what the counters gained since the previous sample; null on the first sample (no baseline) */
  gained: AppCounts | null;
  /** the app reported something within APP_SILENCE_MS */
  reporting: boolean;
}

const countsOf = (hash: Record<string, string>): AppCounts => {
  const n = (field: string) => Number(hash[field] ?? 0) || 0;
  const [lookups, hits, upstreamCalls, upstreamErrors] = APP_COUNTER_FIELDS.map(n) as [
    number,
    number,
    number,
    number,
  ];
  return { lookups, hits, upstreamCalls, upstreamErrors, buckets: APP_BUCKET_FIELDS.map(n) };
};

const isEmpty = (counts: AppCounts) => counts.lookups === 0 && counts.upstreamCalls === 0;

/** `after - before` per field; a minute that shrank (its hash expired or was reset) counts afresh. */
function gainedSince(after: AppCounts, before: AppCounts | undefined): AppCounts {
  if (!before || after.lookups < before.lookups || after.upstreamCalls < before.upstreamCalls) return after;
  return {
    lookups: after.lookups - before.lookups,
    hits: Math.max(0, after.hits - before.hits),
    upstreamCalls: after.upstreamCalls - before.upstreamCalls,
    upstreamErrors: Math.max(0, after.upstreamErrors - before.upstreamErrors),
    buckets: after.buckets.map((count, index) => Math.max(0, count - (before.buckets[index] ?? 0))),
  };
}

function sum(list: AppCounts[]): AppCounts {
  const total: AppCounts = {
    lookups: 0,
    hits: 0,
    upstreamCalls: 0,
    upstreamErrors: 0,
    buckets: APP_BUCKET_FIELDS.map(() => 0),
  };
  for (const counts of list) {
    total.lookups += counts.lookups;
    total.hits += counts.hits;
    total.upstreamCalls += counts.upstreamCalls;
    total.upstreamErrors += counts.upstreamErrors;
    counts.buckets.forEach((count, index) => {
      total.buckets[index] = (total.buckets[index] ?? 0) + count;
    });
  }
  return total;
}

/**
 * The bound of the bucket that holds the 95th percentile (SPEC §5.1); `ms:inf` reports the last
 * finite bound (the lookups were slower than it). Null with no lookups.
 */
export function p95FromAppBuckets(buckets: readonly number[]): number | null {
  const total = buckets.reduce((all, count) => all + count, 0);
  if (total === 0) return null;
  const rank = 0.95 * total;
  let seen = 0;
  for (const [index, count] of buckets.entries()) {
    seen += count;
    if (seen >= rank) return APP_LATENCY_BOUNDS_MS[index] ?? APP_LATENCY_BOUNDS_MS.at(-1) ?? null;
  }
  return APP_LATENCY_BOUNDS_MS.at(-1) ?? null;
}

export class AppCounterReader {
  /** what each minute's hash held at the previous sample */
  private baseline: Map<number, AppCounts> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Forget the baseline (another instance sampled meanwhile: its gains are not ours to count). */
  reset(): void {
    this.baseline = null;
  }

  async read(now: number): Promise<AppDelta> {
    const current = Math.floor(now / 60_000);
    const minutes = Array.from({ length: REPORT_WINDOW_MINUTES + 1 }, (_, i) => current - i);
    const hashes = await readAppCounterMinutes(this.redis, this.prefix, minutes);
    const held = new Map(minutes.map((minute, index) => [minute, countsOf(hashes[index] ?? {})]));
    const previous = this.baseline;
    this.baseline = held;
    return {
      gained: previous
        ? sum(minutes.map((minute) => gainedSince(held.get(minute) as AppCounts, previous.get(minute))))
        : null,
      reporting: [...held.values()].some((counts) => !isEmpty(counts)),
    };
  }
}
