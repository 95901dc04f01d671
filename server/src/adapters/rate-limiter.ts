import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * One rate limit shared by every process (servers, `pnpm worker`s): a sliding-window log in a
 * Redis sorted set, checked and claimed atomically in a Lua script on Redis' own clock, so workers
 * on different machines never disagree about "now". It lets a window's allowance go at once, which
 * suits allowances people spend in bursts; calls to an upstream go through SpacedRateLimiter.
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

export class SharedRateLimiter {
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
}

/** Anything that hands out permission to send one request. */
export interface RateGate {
  acquire(signal?: AbortSignal): Promise<void>;
}

/**
 * Reserves the next free send time: slots `ARGV[1]` ms apart on Redis' clock, shared by every
 * process. Answers how long to wait for the slot reserved (as text: Lua would cut the fraction).
 */
const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
redis.call('SET', KEYS[1], string.format('%.3f', slot + interval), 'PX', math.ceil(slot + interval - now) + 1000)
return string.format('%.3f', slot - now)`;

/**
 * An upstream's rate limit counts *arrivals* in every window (Stripe's and the sandboxes' in any
 * sliding second). A window log alone admits a whole window's allowance at once; those requests
 * leave together, queue behind one another in event loops and at the upstream, and arrive bunched
 * with the next window's: 94 in one second against a limiter at 90, measured. So every request,
 * across all processes, first gets a send time of its own (GCRA without burst): slots
 * (`windowMs` + `marginMs`) / (`requests` − 1) apart, so any `windowMs` + `marginMs` holds at most
 * `requests` of them. A process whose event loop stalls wakes late, though, and its requests then
 * leave together with later ones; rather than give such a slot up (on a busy machine that threw
 * away half of them, measured), the send itself goes through a window log over `windowMs` +
 * `marginMs`, which holds it back only when sends really bunched. Requests that arrive up to
 * `marginMs` after they left therefore keep every `windowMs` window within `requests`. The price is
 * throughput: a limit of 90/s sends at most 81/s, 25/s at most 22/s.
 */
export class SpacedRateLimiter implements RateGate {
  private readonly script: OneKeyScript;
  private readonly intervalMs: number;
  /** the send-time log; its `stats.waits` counts sends it held back */
  readonly sends: SharedRateLimiter;
  /** requests this process sent, and how often and how long they waited for their slots */
  readonly stats = { acquired: 0, waits: 0, waitedMs: 0 };

  constructor(
    redis: Redis,
    private readonly key: string,
    limit: RateLimit,
    marginMs = 100,
  ) {
    this.intervalMs = (limit.windowMs + marginMs) / Math.max(1, limit.requests - 1);
    this.sends = new SharedRateLimiter(redis, `${key}:sent`, limit, marginMs);
    this.script = new OneKeyScript(redis, RESERVE_SCRIPT);
  }

  private reserve(): Promise<number> {
    return this.script.run(this.key, [String(this.intervalMs)]);
  }

  /** Resolves at this process's slot (waited from the answer, so never before it), once the log agrees. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const waitMs = await this.reserve();
    if (waitMs > 0) {
      this.stats.waits += 1;
      this.stats.waitedMs += waitMs;
      await delay(waitMs, signal);
    }
    await this.sends.acquire(signal);
    this.stats.acquired += 1;
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
 * upstream's answer and goes straight to the caller. `beforeAttempt` runs before every attempt
 * (e.g. taking a rate-limit slot).
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  options: { beforeAttempt?: () => Promise<void>; signal?: AbortSignal } = {},
): Promise<T> {
  const started = performance.now();
  let backoff = policy.baseDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    await options.beforeAttempt?.();
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
  return withRetries(call, policy, { beforeAttempt: () => limiter.acquire(signal), signal });
}
