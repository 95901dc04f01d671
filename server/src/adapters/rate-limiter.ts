import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * One rate limit shared by every process (servers, `pnpm worker`s): a sliding-window log in a
 * Redis sorted set, checked and claimed atomically in a Lua script on Redis' own clock, so workers
 * on different machines never disagree about "now". It lets a window's allowance go at once, which
 * suits allowances people spend in bursts; calls to an upstream go through UpstreamRateLimiter.
 *
 * The window is padded (`marginMs`): a request admitted at the very end of one window and one at
 * the start of the next can arrive closer together than they left, and the upstream counts arrivals.
 */
const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)`;

/** Redis reads `ARGV` as strings; a nanosecond-random member keeps two claims in one millisecond apart. */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

/** A one-key Lua script run by its SHA: loaded on first use, and again when a restarted Redis forgot it. */
class OneKeyScript {
  private sha: string | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly lua: string,
  ) {}

  async run(key: string, args: readonly string[]): Promise<number> {
    if (this.sha) {
      try {
        return Number(await this.redis.evalsha(this.sha, 1, key, ...args));
      } catch (error) {
        if (!String(error).includes('NOSCRIPT')) throw error;
      }
    }
    this.sha = (await this.redis.script('LOAD', this.lua)) as string;
    return Number(await this.redis.evalsha(this.sha, 1, key, ...args));
  }
}

/** Claims given back in a row before one is kept anyway (Redis itself may be that slow). */
const MAX_STALE_CLAIMS = 3;

export class SharedRateLimiter implements RateGate {
  private readonly script: OneKeyScript;
  /**
   * requests this process waited for, and for how long in total; claims given back because their
   * answer came too late to send on time (bench and tests read these)
   */
  readonly stats = { acquired: 0, waits: 0, waitedMs: 0, staleClaims: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly limit: RateLimit,
    private readonly marginMs = 100,
  ) {
    this.script = new OneKeyScript(redis, ACQUIRE_SCRIPT);
  }

  /** Claims a slot if one is free: 0 when claimed, else the milliseconds until one frees. */
  tryAcquire(member = randomBytes(8).toString('hex')): Promise<number> {
    return this.script.run(this.key, [
      String(this.limit.windowMs + this.marginMs),
      String(this.limit.requests),
      member,
    ]);
  }

  /**
   * Resolves once this process may send one request; waits as long as the window says. A claim is
   * logged at Redis' time; when its answer reaches us late (this event loop or Redis stalled for
   * more than half the margin), the request would leave that much later, bunched with requests
   * claimed since, and arrive over the limit: the claim is given back and made again.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (let stale = 0; ; ) {
      const member = randomBytes(8).toString('hex');
      const asked = performance.now();
      const waitMs = await this.tryAcquire(member);
      const late = this.marginMs > 0 && performance.now() - asked > this.marginMs / 2;
      if (waitMs === 0 && late && stale < MAX_STALE_CLAIMS) {
        stale += 1;
        this.stats.staleClaims += 1;
        await this.redis.zrem(this.key, member);
        continue;
      }
      if (waitMs === 0) {
        this.stats.acquired += 1;
        return;
      }
      this.stats.waits += 1;
      this.stats.waitedMs += waitMs;
      await delay(waitMs, signal);
    }
  }

  async send<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    return call();
  }
}

/** Anything that lets requests through within a limit. */
export interface RateGate {
  /** runs `call` (one request) once the limit allows it */
  send<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * Claims a place in the log of requests the upstream may still count in a window: a request is
 * logged from before it leaves, scored with when it ended (while in flight, `ARGV[4]` ms from now:
 * the latest it can end), and leaves the log a window (`ARGV[1]`) after it ended. Answers 0 when
 * claimed, else the wait until the earliest entry can leave (a window from now when all are still
 * in flight: none can leave sooner).
 */
const CLAIM_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local window = tonumber(ARGV[1])
local inFlight = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.3f', now - window))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], string.format('%.3f', now + inFlight), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(inFlight + window) + 1000)
  return '0'
end
local first = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
return string.format('%.3f', math.max(0.001, math.min(first, now) + window - now))`;

/** A request's answer is back: it ended now, on Redis' clock (still logged: it may have left already). */
const END_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
redis.call('ZADD', KEYS[1], 'XX', string.format('%.3f', now), ARGV[1])
return 0`;

/**
 * An upstream's rate limit counts *arrivals* in every window (Stripe's and the sandboxes' in any
 * sliding second), and no client knows when its request arrives: event loops, sockets and the
 * upstream itself hold requests for as long as they like (limiting send times let 91 through in
 * one second against a limit of 90, measured on a busy machine). What a client does know is that a
 * request arrives after it was claimed and before its answer came back. So each request is logged,
 * across all processes, from its claim until its answer, and a new one is let through only while
 * fewer than `requests` logged ones ended within the last `windowMs` or are still in flight. Then
 * any `requests` + 1 arrivals in one window would all be in the log when the last of them was
 * claimed, which it refuses: no window holds more than `requests`, however late each one arrives.
 * The price is each request's round trip: it holds its place for a window after its answer (with
 * 30 ms round trips, a limit of 90/s sends about 87/s once the first window's allowance is spent).
 */
export class UpstreamRateLimiter implements RateGate {
  private readonly claimScript: OneKeyScript;
  private readonly endScript: OneKeyScript;
  /** requests this process sent; how often the log held one back, and for how long in total */
  readonly stats = { acquired: 0, waits: 0, waitedMs: 0 };

  /**
   * `maxInFlightMs`: how long a request can be on its way at most (its deadline); a process that
   * dies mid-request leaves its place taken until then.
   */
  constructor(
    redis: Redis,
    private readonly key: string,
    private readonly limit: RateLimit,
    private readonly maxInFlightMs = 60_000,
  ) {
    this.claimScript = new OneKeyScript(redis, CLAIM_SCRIPT);
    this.endScript = new OneKeyScript(redis, END_SCRIPT);
  }

  private async claim(member: string, signal?: AbortSignal): Promise<void> {
    const args = [
      String(this.limit.windowMs),
      String(this.limit.requests),
      member,
      String(this.maxInFlightMs),
    ];
    for (;;) {
      const waitMs = await this.claimScript.run(this.key, args);
      if (waitMs === 0) break;
      this.stats.waits += 1;
      this.stats.waitedMs += waitMs;
      await delay(waitMs, signal);
    }
    this.stats.acquired += 1;
  }

  async send<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const member = randomBytes(8).toString('hex');
    await this.claim(member, signal);
    try {
      return await call();
    } finally {
      // answered or given up on: over for this client either way, and it left after its claim
      await this.endScript.run(this.key, [member]).catch(() => {});
    }
  }
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The HTTP status and `Retry-After` (seconds) of a Stripe SDK or Clerk SDK error, when it has them. */
export function upstreamErrorStatus(error: unknown): { status: number | null; retryAfterMs: number | null } {
  if (typeof error !== 'object' || error === null) return { status: null, retryAfterMs: null };
  const e = error as {
    statusCode?: unknown;
    status?: unknown;
    headers?: Record<string, unknown>;
    retryAfter?: unknown;
  };
  const status =
    typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : null;
  const header = e.headers?.['retry-after'];
  const seconds =
    typeof header === 'string' ? Number(header) : typeof e.retryAfter === 'number' ? e.retryAfter : NaN;
  return { status, retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : null };
}

export interface RetryPolicy {
  attempts: number;
  /** first backoff after a 5xx or network error; doubles each time */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * No retry once the time spent plus the next wait would pass this: someone is waiting for the
   * answer, and a `Retry-After` of a minute is better reported than sat out. Unset: no budget.
   */
  budgetMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 5_000 };

/** Calls made while a person waits (a page, a button): a few quick tries within a few seconds. */
export const INTERACTIVE_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 2_000,
  budgetMs: 8_000,
};

/**
 * Runs `call` until it answers: a 429 waits for `Retry-After` (else one second) and tries again,
 * a 5xx or a network failure backs off exponentially. Any other error (400, 404) is the
 * upstream's answer and goes straight to the caller.
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  const started = performance.now();
  let backoff = policy.baseDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const { status, retryAfterMs } = upstreamErrorStatus(error);
      const retryable = status === 429 || status === null || status >= 500;
      if (!retryable || attempt >= policy.attempts) throw error;
      const wait = status === 429 ? (retryAfterMs ?? 1_000) : Math.min(backoff, policy.maxDelayMs);
      if (policy.budgetMs !== undefined && performance.now() - started + wait > policy.budgetMs) throw error;
      backoff *= 2;
      await delay(wait, options.signal);
    }
  }
}

/** `withRetries` through the shared limiter: every attempt takes a slot of the limit. */
export function limitedCall<T>(
  limiter: RateGate,
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  signal?: AbortSignal,
): Promise<T> {
  return withRetries(() => limiter.send(call, signal), policy, { signal });
}
