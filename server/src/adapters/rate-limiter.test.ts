import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../lib/redis-server';
import { limitedCall, SharedRateLimiter, upstreamErrorStatus } from './rate-limiter';

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

  it('reads status and Retry-After from Stripe and Clerk errors', () => {
    expect(upstreamErrorStatus({ statusCode: 429, headers: { 'retry-after': '2' } })).toEqual({
      status: 429,
      retryAfterMs: 2000,
    });
    expect(upstreamErrorStatus({ status: 429, retryAfter: 3 })).toEqual({ status: 429, retryAfterMs: 3000 });
    expect(upstreamErrorStatus(new Error('network'))).toEqual({ status: null, retryAfterMs: null });
  });
});
