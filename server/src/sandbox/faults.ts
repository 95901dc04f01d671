import { z } from 'zod';

/**
 * Fault injection and request counting for one sandbox upstream. Everything here is
 * deterministic: "fail a fraction" spreads failures evenly by counting, never by chance, so a
 * test that asks for 25 % failures gets exactly one in four, every run.
 */

/** A rate limit: at most `requests` accepted in any sliding window of `windowMs`. */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

/** Stripe test mode */
export const STRIPE_TEST_RATE_LIMIT: RateLimit = { requests: 25, windowMs: 1000 };
/** Stripe live mode */
export const STRIPE_LIVE_RATE_LIMIT: RateLimit = { requests: 100, windowMs: 1000 };
/** Clerk production instances */
export const CLERK_RATE_LIMIT: RateLimit = { requests: 1000, windowMs: 10_000 };

export const faultSettingsSchema = z.strictObject({
  /** added before every answer, errors included, like network distance */
  latencyMs: z.number().int().min(0).max(60_000),
  /** answer the next N requests with 429 */
  rateLimitNext: z.number().int().min(0),
  /** answer this share (0–1) of requests with 429, spread evenly */
  rateLimitFraction: z.number().min(0).max(1),
  /** the `Retry-After` header on injected 429s, in seconds */
  retryAfterSeconds: z.number().int().min(0).max(3600),
  /** answer the next N requests with `serverErrorStatus` */
  serverErrorNext: z.number().int().min(0),
  /** answer this share (0–1) of requests with `serverErrorStatus`, spread evenly */
  serverErrorFraction: z.number().min(0).max(1),
  serverErrorStatus: z.number().int().min(500).max(599),
  /** the upstream's own rate limit; null for none */
  rateLimit: z
    .strictObject({ requests: z.number().int().min(1), windowMs: z.number().int().min(1) })
    .nullable(),
});

export type FaultSettings = z.infer<typeof faultSettingsSchema>;
export const faultPatchSchema = faultSettingsSchema.partial();
export type FaultPatch = z.infer<typeof faultPatchSchema>;

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  rateLimitNext: 0,
  rateLimitFraction: 0,
  retryAfterSeconds: 1,
  serverErrorNext: 0,
  serverErrorFraction: 0,
  serverErrorStatus: 500,
  rateLimit: null,
};

/** What the fault layer decided for one request. */
export type FaultDecision =
  | { kind: 'pass' }
  | { kind: 'rate-limited'; retryAfterSeconds: number; reason: 'injected' | 'rate-limit' }
  | { kind: 'server-error'; status: number };

/** Adds `fraction` per request and fires when a whole one has accumulated: exact, evenly spread. */
class EvenSpread {
  private accumulated = 0;
  fire(fraction: number): boolean {
    if (fraction <= 0) return false;
    this.accumulated += fraction;
    // The epsilon keeps 0.1 × 10 from falling a hair short of 1 in floating point.
    if (this.accumulated >= 1 - 1e-9) {
      this.accumulated -= 1;
      return true;
    }
    return false;
  }
  reset() {
    this.accumulated = 0;
  }
}

/** Timestamps inside a sliding window; a ring-free queue with a moving head, compacted now and then. */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;
  constructor(public windowMs: number) {}
  /** how many timestamps remain after dropping those at least windowMs older than `now` */
  trim(now: number): number {
    while (this.head < this.times.length && (this.times[this.head] as number) <= now - this.windowMs)
      this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
  add(now: number): number {
    this.times.push(now);
    return this.trim(now);
  }
  oldest(): number | undefined {
    return this.times[this.head];
  }
  clear() {
    this.times = [];
    this.head = 0;
  }
}

export class FaultController {
  private settings: FaultSettings;
  private readonly initial: FaultSettings;
  private readonly rateLimitSpread = new EvenSpread();
  private readonly serverErrorSpread = new EvenSpread();
  private accepted = new SlidingWindow(1000);

  constructor(
    initial: FaultPatch = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.initial = faultSettingsSchema.parse({ ...NO_FAULTS, ...initial });
    this.settings = { ...this.initial };
  }

  get(): FaultSettings {
    return { ...this.settings };
  }

  /** Merges a partial change; counts ("next N") replace, they do not add up. */
  set(patch: FaultPatch): FaultSettings {
    const next = faultSettingsSchema.parse({ ...this.settings, ...patch });
    if (patch.rateLimitFraction !== undefined) this.rateLimitSpread.reset();
    if (patch.serverErrorFraction !== undefined) this.serverErrorSpread.reset();
    if (patch.rateLimit !== undefined) this.accepted.clear();
    this.settings = next;
    return this.get();
  }

  /** back to the settings it started with (e.g. the bench's 20 ms latency), counts cleared */
  reset(): void {
    this.settings = { ...this.initial };
    this.rateLimitSpread.reset();
    this.serverErrorSpread.reset();
    this.accepted.clear();
  }

  /**
   * Decides one request's fate at arrival. Injected faults come first (a test asking for "the
   * next request fails" means the very next one); the rate limit counts only requests it lets
   * through, like a token bucket would.
   */
  decide(): FaultDecision {
    const s = this.settings;
    if (s.rateLimitNext > 0) {
      s.rateLimitNext--;
      return { kind: 'rate-limited', retryAfterSeconds: s.retryAfterSeconds, reason: 'injected' };
    }
    if (this.rateLimitSpread.fire(s.rateLimitFraction)) {
      return { kind: 'rate-limited', retryAfterSeconds: s.retryAfterSeconds, reason: 'injected' };
    }
    if (s.serverErrorNext > 0) {
      s.serverErrorNext--;
      return { kind: 'server-error', status: s.serverErrorStatus };
    }
    if (this.serverErrorSpread.fire(s.serverErrorFraction)) {
      return { kind: 'server-error', status: s.serverErrorStatus };
    }
    if (s.rateLimit) {
      const now = this.now();
      this.accepted.windowMs = s.rateLimit.windowMs;
      if (this.accepted.trim(now) >= s.rateLimit.requests) {
        const frees = (this.accepted.oldest() ?? now) + s.rateLimit.windowMs - now;
        return {
          kind: 'rate-limited',
          retryAfterSeconds: Math.max(1, Math.ceil(frees / 1000)),
          reason: 'rate-limit',
        };
      }
      this.accepted.add(now);
    }
    return { kind: 'pass' };
  }
}

export interface CounterSnapshot {
  /** every request that reached the upstream (control routes excluded) */
  requests: number;
  /** by route template, e.g. `GET /v1/customers/:id` */
  routes: Record<string, number>;
  /** by HTTP status answered */
  statuses: Record<string, number>;
  /** 429s answered, injected or from the rate limit */
  rateLimited: number;
  /** 5xx answered */
  serverErrors: number;
  /** the most requests that arrived within any 1-second window */
  maxPerSecond: number;
  /** the most requests that arrived within any 10-second window (Clerk's limit is per 10 s) */
  maxPer10Seconds: number;
}

export class RequestCounters {
  private snapshotData: CounterSnapshot = RequestCounters.empty();
  private readonly second = new SlidingWindow(1000);
  private readonly tenSeconds = new SlidingWindow(10_000);

  constructor(private readonly now: () => number = () => performance.now()) {}

  private static empty(): CounterSnapshot {
    return {
      requests: 0,
      routes: {},
      statuses: {},
      rateLimited: 0,
      serverErrors: 0,
      maxPerSecond: 0,
      maxPer10Seconds: 0,
    };
  }

  /** Counted at arrival, so the window figures are what the upstream saw, not when it answered. */
  arrived(route: string): void {
    const c = this.snapshotData;
    c.requests++;
    c.routes[route] = (c.routes[route] ?? 0) + 1;
    const now = this.now();
    c.maxPerSecond = Math.max(c.maxPerSecond, this.second.add(now));
    c.maxPer10Seconds = Math.max(c.maxPer10Seconds, this.tenSeconds.add(now));
  }

  answered(status: number): void {
    const c = this.snapshotData;
    c.statuses[status] = (c.statuses[status] ?? 0) + 1;
    if (status === 429) c.rateLimited++;
    if (status >= 500) c.serverErrors++;
  }

  snapshot(): CounterSnapshot {
    const c = this.snapshotData;
    return { ...c, routes: { ...c.routes }, statuses: { ...c.statuses } };
  }

  /** requests that reached one route template */
  route(template: string): number {
    return this.snapshotData.routes[template] ?? 0;
  }

  reset(): void {
    this.snapshotData = RequestCounters.empty();
    this.second.clear();
    this.tenSeconds.clear();
  }
}
