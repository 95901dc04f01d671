import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * One rate limit shared by every process that talks to an upstream (servers, `pnpm worker`s):
 * a sliding-window log in a Redis sorted set, checked and claimed atomically in a Lua script on
 * Redis' own clock, so workers on different machines never disagree about "now".
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

export class SharedRateLimiter {
  private sha: string | null = null;
  /** requests this process waited for, and for how long in total (bench and tests read these) */
  readonly stats = { acquired: 0, waits: 0, waitedMs: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly limit: RateLimit,
    private readonly marginMs = 100,
  ) {}

  private async tryAcquire(): Promise<number> {
    const args = [
      String(this.limit.windowMs + this.marginMs),
      String(this.limit.requests),
      randomBytes(8).toString('hex'),
    ];
    if (this.sha) {
      try {
        return Number(await this.redis.evalsha(this.sha, 1, this.key, ...args));
      } catch (error) {
        if (!String(error).includes('NOSCRIPT')) throw error;
      }
    }
    this.sha = (await this.redis.script('LOAD', ACQUIRE_SCRIPT)) as string;
    return Number(await this.redis.evalsha(this.sha, 1, this.key, ...args));
  }

  /** Resolves once this process may send one request; waits as long as the window says. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const waitMs = await this.tryAcquire();
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
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 5_000 };

/**
 * Sends `call` through the limiter; a 429 waits for `Retry-After` (else one window) and tries
 * again, a 5xx or a network failure backs off exponentially. Any other error (400, 404) is the
 * upstream's answer and goes straight to the caller. Every attempt takes a slot of the limit.
 */
export async function limitedCall<T>(
  limiter: SharedRateLimiter,
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  signal?: AbortSignal,
): Promise<T> {
  let backoff = policy.baseDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    await limiter.acquire(signal);
    try {
      return await call();
    } catch (error) {
      const { status, retryAfterMs } = upstreamErrorStatus(error);
      const retryable = status === 429 || status === null || status >= 500;
      if (!retryable || attempt >= policy.attempts) throw error;
      const wait = status === 429 ? (retryAfterMs ?? 1_000) : Math.min(backoff, policy.maxDelayMs);
      backoff *= 2;
      await delay(wait, signal);
    }
  }
}
