import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../lib/redis-server';
import {
  limitedCall,
  SharedRateLimiter,
  UpstreamRateLimiter,
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
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async (_, index) => {
        await (limiters[index % 2] as SharedRateLimiter).acquire();
        granted.push(performance.now());
      }),
    );
    granted.sort((x, y) => x - y);
    // Each claim is logged on Redis' clock after `started` and before its grant is seen here, so
    // the k-th grant seen comes at least k ÷ limit windows after `started` — however late this
    // busy process sees each one (1 ms of slack: Redis logs whole milliseconds).
    granted.forEach((at, k) => {
      expect(at - started).toBeGreaterThanOrEqual(Math.floor(k / limit.requests) * limit.windowMs - 1);
    });
    const waits = limiters.reduce((sum, limiter) => sum + limiter.stats.waits, 0);
    expect(waits).toBeGreaterThan(0);
  });

  it('upstream: two clients sharing a key never let more than the limit through in any window', async () => {
    const limit = { requests: 5, windowMs: 200 };
    const limiters = [
      new UpstreamRateLimiter(a, 'rl:upstream', limit),
      new UpstreamRateLimiter(b, 'rl:upstream', limit),
    ];
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 14 }, (_, index) =>
        (limiters[index % 2] as UpstreamRateLimiter).send(async () => {
          granted.push(performance.now());
        }),
      ),
    );
    granted.sort((x, y) => x - y);
    // each request runs between its claim and its end in the log, so any `requests` + 1 of them
    // span a window (1 ms of slack: Redis and this process read the clock apart)
    for (let i = limit.requests; i < granted.length; i += 1) {
      expect((granted[i] as number) - (granted[i - limit.requests] as number)).toBeGreaterThanOrEqual(
        limit.windowMs - 1,
      );
    }
    expect(limiters.reduce((sum, limiter) => sum + limiter.stats.waits, 0)).toBeGreaterThan(0);
  });

  it('upstream: requests that arrive late at the upstream (held in event loops and queues) never put a window over the limit', async () => {
    const limit = { requests: 4, windowMs: 300 };
    const limiters = [
      new UpstreamRateLimiter(a, 'rl:arrivals', limit),
      new UpstreamRateLimiter(b, 'rl:arrivals', limit),
    ];
    // The upstream counts a request when it gets round to it: of every five sent, the first two
    // 250 ms after they left (a stalled upstream or client), the rest at once; each is answered
    // 10 ms after it was counted. Sent evenly, five would then arrive within 300 ms.
    const arrivals: number[] = [];
    let sent = 0;
    const upstream = async () => {
      if (sent++ % 5 < 2) await new Promise((resolve) => setTimeout(resolve, 250));
      arrivals.push(performance.now());
      await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await Promise.all(
      Array.from({ length: 16 }, (_, index) => (limiters[index % 2] as UpstreamRateLimiter).send(upstream)),
    );
    arrivals.sort((x, y) => x - y);
    // any `requests` + 1 arrivals span more than a window (1 ms of slack: Redis and this process
    // read the clock apart)
    for (let i = limit.requests; i < arrivals.length; i += 1) {
      expect((arrivals[i] as number) - (arrivals[i - limit.requests] as number)).toBeGreaterThanOrEqual(
        limit.windowMs - 1,
      );
    }
    expect(limiters.reduce((sum, limiter) => sum + limiter.stats.waits, 0)).toBeGreaterThan(0);
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
    const upstream = new UpstreamRateLimiter(a, 'rl:flushed-upstream', { requests: 1_000, windowMs: 1_000 });
    expect(await shared.tryAcquire()).toBe(0);
    await upstream.send(async () => {});
    await a.script('FLUSH');
    expect(await shared.tryAcquire()).toBe(0);
    // the window is full now: the answer is the wait, not an error
    expect(await shared.tryAcquire()).toBeGreaterThan(0);
    await upstream.send(async () => {});
    expect(upstream.stats.acquired).toBe(2);
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
