/**
 * The app reporter (SPEC §5.1): the app counts its own customer-cache lookups in the Redis it
 * already uses, so Cache Doctor's charts show the app and not the dashboard. Dependency-free on
 * purpose: an app copies or imports this one file and hands it the client it already has — an
 * ioredis client or an Upstash-style one (`pipeline()`/`multi()` + `hincrby` + `expire` + `exec`).
 *
 * Per minute: `HINCRBY {prefix}app:{minute} {field} {n}` and `EXPIRE` 8 days. Lookups that finish
 * in the same tick, or while the previous report is on its way, go out together in one pipeline,
 * so a lookup costs at most one round trip and, in a busy app, a small share of one. Reporting never throws into the app and never delays a lookup: a failed report is
 * dropped and counted in `stats.dropped`.
 */

/** Upper bounds (ms) of the lookup-latency buckets; a slower lookup counts in `ms:inf`. */
export const APP_LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500] as const;
export const APP_COUNTER_TTL_SECONDS = 8 * 86_400;
export const APP_COUNTER_FIELDS = ['lookups', 'hits', 'upstreamCalls', 'upstreamErrors'] as const;
export const DEFAULT_OWN_PREFIX = 'cache-doctor:';

export type AppCounterField = (typeof APP_COUNTER_FIELDS)[number] | `ms:${number | 'inf'}`;

/** `{prefix}app:{minute}`, minute = floor(unix ms / 60000). */
export const appCountersKey = (prefix: string, minute: number) => `${prefix}app:${minute}`;

/** The bucket a lookup of `ms` milliseconds counts in: the smallest bound not below it. */
export function latencyField(ms: number): `ms:${number | 'inf'}` {
  const bound = APP_LATENCY_BOUNDS_MS.find((candidate) => ms <= candidate);
  return bound === undefined ? 'ms:inf' : `ms:${bound}`;
}

/** The commands the reporter needs from a queued pipeline or transaction (ioredis and Upstash). */
export interface ReporterChain {
  hincrby(key: string, field: string, increment: number): unknown;
  expire(key: string, seconds: number): unknown;
  exec(): Promise<unknown>;
}

/** ioredis (`pipeline`, `multi`) or `@upstash/redis` (`pipeline`, `multi`); either one is enough. */
export type ReporterClient = { pipeline(): ReporterChain } | { multi(): ReporterChain };

export interface AppReporterOptions {
  /** Cache Doctor's OWN_PREFIX (default `cache-doctor:`) */
  prefix?: string;
  /** wait this long to gather more lookups into one round trip (default 0: the same tick) */
  batchMs?: number;
  now?: () => number;
}

export interface AppReporterStats {
  /** lookups whose counts reached Redis */
  reported: number;
  /** lookups whose report failed and was dropped */
  dropped: number;
}

export interface AppReporter {
  /**
   * Wraps the app's two-step lookup: `read` is the cache read (mapping → customer id → record)
   * and answers null/undefined on a miss; `fallback` is the app's Stripe/Clerk path for a miss,
   * counted as an upstream call (and as an upstream error when it throws, which is rethrown).
   */
  lookup<T>(read: () => Promise<T | null | undefined>, fallback: () => Promise<T>): Promise<T>;
  /** Counts one of the app's other Stripe or Clerk calls; its result or error passes through. */
  upstream<T>(call: () => Promise<T>): Promise<T>;
  /** Counts a lookup measured by the app itself. */
  record(lookup: { hit: boolean; ms: number; upstreamCalls?: number; upstreamErrors?: number }): void;
  /** Sends what is pending now; resolves when it was sent or dropped (never rejects). */
  flush(): Promise<void>;
  readonly stats: Readonly<AppReporterStats>;
}

type Counts = Map<string, number>;

/** Lookups kept waiting for Redis before further ones are dropped (and counted as dropped). */
const MAX_PENDING_LOOKUPS = 100_000;

/** The runtime's timers (Node, browsers, edge runtimes): shared/ is typed without their libraries. */
const runtime = globalThis as unknown as {
  performance?: { now(): number };
  setTimeout(callback: () => void, ms: number): unknown;
  queueMicrotask(callback: () => void): void;
};

const chainOf = (client: ReporterClient): ReporterChain =>
  'pipeline' in client ? client.pipeline() : client.multi();

/** ioredis answers `[error, value]` pairs; a failed command there is a failed report too. */
const execFailed = (replies: unknown): boolean =>
  Array.isArray(replies) && replies.some((reply) => Array.isArray(reply) && reply[0] instanceof Error);

export function createAppReporter(client: ReporterClient, options: AppReporterOptions = {}): AppReporter {
  const prefix = options.prefix ?? DEFAULT_OWN_PREFIX;
  const now = options.now ?? Date.now;
  const clock = () => runtime.performance?.now() ?? Date.now();
  const stats: AppReporterStats = { reported: 0, dropped: 0 };
  let pending = new Map<number, Counts>();
  let pendingLookups = 0;
  let sending: Promise<void> | null = null;

  const add = (fields: Partial<Record<AppCounterField, number>>, lookups: number) => {
    // Redis has not answered for a long while: keep the app's memory bounded, count the loss
    if (pendingLookups >= MAX_PENDING_LOOKUPS) {
      stats.dropped += lookups;
      return;
    }
    const minute = Math.floor(now() / 60_000);
    let counts = pending.get(minute);
    if (!counts) {
      counts = new Map();
      pending.set(minute, counts);
    }
    for (const [field, n] of Object.entries(fields)) {
      if (n) counts.set(field, (counts.get(field) ?? 0) + n);
    }
    pendingLookups += lookups;
    if (!sending) sending = sendAll();
  };

  const send = async (): Promise<void> => {
    const batch = pending;
    const lookups = pendingLookups;
    pending = new Map();
    pendingLookups = 0;
    if (batch.size === 0) return;
    try {
      const chain = chainOf(client);
      for (const [minute, counts] of batch) {
        const key = appCountersKey(prefix, minute);
        for (const [field, n] of counts) chain.hincrby(key, field, n);
        chain.expire(key, APP_COUNTER_TTL_SECONDS);
      }
      if (execFailed(await chain.exec())) throw new Error('a counter command failed');
      stats.reported += lookups;
    } catch {
      stats.dropped += lookups;
    }
  };

  /**
   * One pipeline in flight at a time: what the app counts while one is on its way goes in the
   * next, so a busy app sends fewer, larger pipelines instead of queueing one per lookup.
   */
  const sendAll = async (): Promise<void> => {
    await new Promise<void>((resolve) =>
      options.batchMs ? runtime.setTimeout(resolve, options.batchMs) : runtime.queueMicrotask(resolve),
    );
    while (pending.size > 0) await send();
    sending = null;
  };

  const record: AppReporter['record'] = ({ hit, ms, upstreamCalls = 0, upstreamErrors = 0 }) => {
    add({ lookups: 1, hits: hit ? 1 : 0, upstreamCalls, upstreamErrors, [latencyField(ms)]: 1 }, 1);
  };

  const upstream: AppReporter['upstream'] = async (call) => {
    try {
      const result = await call();
      add({ upstreamCalls: 1 }, 0);
      return result;
    } catch (error) {
      add({ upstreamCalls: 1, upstreamErrors: 1 }, 0);
      throw error;
    }
  };

  return {
    stats,
    record,
    upstream,
    async lookup(read, fallback) {
      const started = clock();
      const cached = await read();
      if (cached !== null && cached !== undefined) {
        record({ hit: true, ms: clock() - started });
        return cached;
      }
      try {
        const value = await fallback();
        record({ hit: false, ms: clock() - started, upstreamCalls: 1 });
        return value;
      } catch (error) {
        record({ hit: false, ms: clock() - started, upstreamCalls: 1, upstreamErrors: 1 });
        throw error;
      }
    },
    async flush() {
      await sending;
      await send();
    },
  };
}
