import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../lib/redis-server';
import {
  limitedCall,
  SharedRateLimiter,
  SpacedRateLimiter,
  upstreamErrorStatus,
  withRetries,
} from './rate-limiter';

describe('SharedRateLimiter (real redis-server)', () => {
  let server: RedisServer;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    a = new Redis(server.url);
    b = new Redis(server.url);
  });
  afterAll(async () => {
    a.disconnect();
    b.disconnect();
    await server.stop();
  });

  it('two clients sharing a key together never exceed the limit in any window', async () => {
    const limit = { requests: 5, windowMs: 200 };
    const limiters = [
      new SharedRateLimiter(a, 'rl:shared', limit, 0),
      new SharedRateLimiter(b, 'rl:shared', limit, 0),
    ];
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async (_, index) => {
        await (limiters[index % 2] as SharedRateLimiter).acquire();
        granted.push(performance.now());
      }),
    );
    granted.sort((x, y) => x - y);
    // any 6 consecutive grants span at least a window (a little slack for timer granularity)
    for (let i = limit.requests; i < granted.length; i += 1) {
      expect((granted[i] as number) - (granted[i - limit.requests] as number)).toBeGreaterThanOrEqual(
        limit.windowMs - 5,
      );
    }
    const waits = limiters.reduce((sum, limiter) => sum + limiter.stats.waits, 0);
    expect(waits).toBeGreaterThan(0);
  });

  it('spaced: two clients sharing a key get evenly spaced slots, never a window over the limit', async () => {
    const limit = { requests: 5, windowMs: 200 };
    const marginMs = 40;
    const limiters = [
      new SpacedRateLimiter(a, 'rl:spaced', limit, marginMs),
      new SpacedRateLimiter(b, 'rl:spaced', limit, marginMs),
    ];
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 14 }, async (_, index) => {
        await (limiters[index % 2] as SpacedRateLimiter).acquire();
        granted.push(performance.now());
      }),
    );
    granted.sort((x, y) => x - y);
    const interval = (limit.windowMs + marginMs) / (limit.requests - 1);
    const first = granted[0] as number;
    // no burst: the k-th grant comes about k slots after the first (which may itself be late);
    // 2 ms of slack because timers fire on whole milliseconds
    granted.forEach((at, k) => {
      expect(at - first).toBeGreaterThanOrEqual((k - 1) * interval - 2);
    });
    // and no window holds more than the limit
    for (let i = limit.requests; i < granted.length; i += 1) {
      expect((granted[i] as number) - (granted[i - limit.requests] as number)).toBeGreaterThan(
        limit.windowMs,
      );
    }
  });

  it('spaced: sends bunched by a stalled event loop are held back to keep every window within the limit', async () => {
    const limit = { requests: 3, windowMs: 300 };
    const marginMs = 20;
    const limiter = new SpacedRateLimiter(a, 'rl:stalled', limit, marginMs);
    await limiter.acquire();
    const granted: number[] = [performance.now()];
    const rest = Promise.all(
      Array.from({ length: 4 }, async () => {
        await limiter.acquire();
        granted.push(performance.now());
      }),
    );
    // answered after the four reservations on the same connection; once the microtasks that
    // follow have run, their timers are set
    await a.ping();
    await new Promise((resolve) => setImmediate(resolve));
    // A stalled event loop: the next three slots pass meanwhile, and their timers fire at once.
    const stalledUntil = performance.now() + 500;
    while (performance.now() < stalledUntil) {}
    await rest;
    granted.sort((x, y) => x - y);
    // Measured here, after each grant resolves: Redis' clock is read in whole milliseconds (1 ms),
    // and a grant is timed only when its continuation runs, up to ~2 ms late after the stall.
    for (let i = limit.requests; i < granted.length; i += 1) {
      expect((granted[i] as number) - (granted[i - limit.requests] as number)).toBeGreaterThanOrEqual(
        limit.windowMs + marginMs - 3,
      );
    }
    expect(limiter.sends.stats.waits).toBeGreaterThanOrEqual(1);
  });

  it('gives back a claim whose answer came late (a stalled event loop) and claims again', async () => {
    const limiter = new SharedRateLimiter(a, 'rl:late', { requests: 2, windowMs: 1000 }, 100);
    const [seconds, micros] = await a.time();
    const before = Number(seconds) * 1000 + Number(micros) / 1000;
    const acquired = limiter.acquire();
    // the claim's answer arrives while this event loop is stalled: the request would leave 200 ms late
    const stalledUntil = performance.now() + 200;
    while (performance.now() < stalledUntil) {}
    await acquired;
    expect(limiter.stats).toMatchObject({ acquired: 1, staleClaims: 1 });
    // one claim in the log, made after the stall: the late one was given back
    const log = await a.zrange('rl:late', 0, -1, 'WITHSCORES');
    expect(log).toHaveLength(2);
    expect(Number(log[1])).toBeGreaterThanOrEqual(before + 190);
  });

  it('keeps working when Redis forgets its scripts (a restart), loading them again', async () => {
    const limit = { requests: 2, windowMs: 60_000 };
    const shared = new SharedRateLimiter(a, 'rl:flushed', limit, 0);
    const spaced = new SpacedRateLimiter(a, 'rl:flushed-spaced', { requests: 1_000, windowMs: 1_000 }, 0);
    expect(await shared.tryAcquire()).toBe(0);
    await spaced.acquire();
    await a.script('FLUSH');
    expect(await shared.tryAcquire()).toBe(0);
    // the window is full now: the answer is the wait, not an error
    expect(await shared.tryAcquire()).toBeGreaterThan(0);
    await spaced.acquire();
    expect(spaced.stats.acquired).toBe(2);
  });

  it('retries a 429 after Retry-After and a 5xx after a backoff; passes a 404 straight through', async () => {
    const limiter = new SharedRateLimiter(a, 'rl:retry', { requests: 100, windowMs: 1000 });
    const answers = [
      Object.assign(new Error('rate limited'), { statusCode: 429, headers: { 'retry-after': '0' } }),
      Object.assign(new Error('boom'), { status: 503 }),
    ];
    let calls = 0;
    const result = await limitedCall(
      limiter,
      async () => {
        calls += 1;
        const answer = answers.shift();
        if (answer) throw answer;
        return 'ok';
      },
      { attempts: 5, baseDelayMs: 1, maxDelayMs: 5 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);

    const missing = Object.assign(new Error('no such customer'), { statusCode: 404 });
    let tries = 0;
    await expect(
      limitedCall(limiter, async () => {
        tries += 1;
        throw missing;
      }),
    ).rejects.toBe(missing);
    expect(tries).toBe(1);
  });

  it('gives up at once when Retry-After would outlast the budget, and after the last attempt', async () => {
    const slow = Object.assign(new Error('rate limited'), { status: 429, retryAfter: 60 });
    let calls = 0;
    const policy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 1_000 };
    await expect(
      withRetries(async () => {
        calls += 1;
        throw slow;
      }, policy),
    ).rejects.toBe(slow);
    expect(calls).toBe(1);

    const down = Object.assign(new Error('boom'), { statusCode: 502 });
    calls = 0;
    await expect(
      withRetries(async () => {
        calls += 1;
        throw down;
      }, policy),
    ).rejects.toBe(down);
    expect(calls).toBe(4);
  });

  it('reads status and Retry-After from Stripe and Clerk errors', () => {
    expect(upstreamErrorStatus({ statusCode: 429, headers: { 'retry-after': '2' } })).toEqual({
      status: 429,
      retryAfterMs: 2000,
    });
    expect(upstreamErrorStatus({ status: 429, retryAfter: 3 })).toEqual({ status: 429, retryAfterMs: 3000 });
    expect(upstreamErrorStatus(new Error('network'))).toEqual({ status: null, retryAfterMs: null });
  });
});
