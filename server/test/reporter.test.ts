import {
  APP_COUNTER_TTL_SECONDS,
  appCountersKey,
  createAppReporter,
  latencyField,
  type ReporterChain,
} from '@cache-doctor/shared/reporter';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../src/lib/redis-server';

/**
 * The app reporter (SPEC §5.1) against a real redis-server, through both client shapes it takes:
 * ioredis itself, and an Upstash-style client (`pipeline()` whose `exec()` answers bare values and
 * throws on a failed command), built here over a second connection.
 */

let server: RedisServer;
let redis: Redis;
const PREFIX = 'cache-doctor:';
const MINUTE = 29_000_000;
const at = (minute: number) => () => minute * 60_000 + 1_234;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

/** Counts every command redis-server executed, to see round trips and commands per lookup. */
async function commandCalls(): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  return Object.fromEntries(
    [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map((m) => [m[1] as string, Number(m[2])]),
  );
}

function upstashStyle(client: Redis) {
  return {
    pipeline(): ReporterChain {
      const inner = client.pipeline();
      const chain: ReporterChain = {
        hincrby: (key, field, n) => {
          inner.hincrby(key, field, n);
          return chain;
        },
        expire: (key, seconds) => {
          inner.expire(key, seconds);
          return chain;
        },
        async exec() {
          const replies = (await inner.exec()) ?? [];
          return replies.map(([error, value]) => {
            if (error) throw error;
            return value;
          });
        },
      };
      return chain;
    },
  };
}

describe('app reporter on real Redis', () => {
  it('puts each lookup in its bucket: the smallest bound not below its duration', () => {
    expect(latencyField(0.3)).toBe('ms:5');
    expect(latencyField(5)).toBe('ms:5');
    expect(latencyField(5.01)).toBe('ms:10');
    expect(latencyField(999)).toBe('ms:1000');
    expect(latencyField(2500)).toBe('ms:2500');
    expect(latencyField(2501)).toBe('ms:inf');
  });

  it('ioredis: counts hits, misses, upstream calls and errors in the minute hash, with an 8-day TTL', async () => {
    const reporter = createAppReporter(redis, { now: at(MINUTE) });
    const records = new Map([['user_a', { id: 'cus_a' }]]);
    const read = (userId: string) => async () => records.get(userId) ?? null;
    expect(await reporter.lookup(read('user_a'), async () => ({ id: 'never' }))).toEqual({ id: 'cus_a' });
    expect(await reporter.lookup(read('user_b'), async () => ({ id: 'cus_b' }))).toEqual({ id: 'cus_b' });
    await expect(
      reporter.lookup(read('user_c'), async () => {
        throw new Error('stripe 500');
      }),
    ).rejects.toThrow('stripe 500');
    await reporter.upstream(async () => 'clerk user');
    await reporter.flush();

    const key = appCountersKey(PREFIX, MINUTE);
    const hash = await redis.hgetall(key);
    expect(hash).toMatchObject({ lookups: '3', hits: '1', upstreamCalls: '3', upstreamErrors: '1' });
    // one latency bucket per lookup
    const bucketed = Object.entries(hash).filter(([field]) => field.startsWith('ms:'));
    expect(bucketed.reduce((sum, [, n]) => sum + Number(n), 0)).toBe(3);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(APP_COUNTER_TTL_SECONDS - 5);
    expect(ttl).toBeLessThanOrEqual(APP_COUNTER_TTL_SECONDS);
    expect(reporter.stats).toEqual({ reported: 3, dropped: 0 });
  });

  it('one round trip per lookup at most: lookups of the same tick share one pipeline', async () => {
    const reporter = createAppReporter(redis, { now: at(MINUTE + 1) });
    const before = await commandCalls();
    await reporter.lookup(
      async () => 'hit',
      async () => 'miss',
    );
    await reporter.flush();
    const single = await commandCalls();
    // one lookup: one HINCRBY per field it moved (lookups, hits, its bucket) and one EXPIRE
    expect((single.hincrby ?? 0) - (before.hincrby ?? 0)).toBe(3);
    expect((single.expire ?? 0) - (before.expire ?? 0)).toBe(1);

    await Promise.all(
      Array.from({ length: 50 }, () =>
        reporter.lookup(
          async () => 'hit',
          async () => 'x',
        ),
      ),
    );
    await reporter.flush();
    const batched = await commandCalls();
    // fifty concurrent lookups: still one EXPIRE, i.e. one pipeline
    expect((batched.expire ?? 0) - (single.expire ?? 0)).toBe(1);
    expect(await redis.hget(appCountersKey(PREFIX, MINUTE + 1), 'lookups')).toBe('51');
  });

  it('Upstash-style client: the same counters through pipeline() with bare replies', async () => {
    const reporter = createAppReporter(upstashStyle(redis), { now: at(MINUTE + 2), prefix: 'cd2:' });
    for (let i = 0; i < 10; i += 1)
      await reporter.lookup(
        async () => (i < 9 ? 'hit' : null),
        async () => 'from stripe',
      );
    await reporter.flush();
    expect(await redis.hgetall(appCountersKey('cd2:', MINUTE + 2))).toMatchObject({
      lookups: '10',
      hits: '9',
      upstreamCalls: '1',
    });
    expect(reporter.stats.reported).toBe(10);
  });

  it('never throws into the app: with Redis gone, lookups answer and failed reports are counted', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    dead.on('error', () => {});
    const throwing = {
      multi(): ReporterChain {
        throw new Error('client closed');
      },
    };
    for (const client of [dead, throwing]) {
      const reporter = createAppReporter(client, { now: at(MINUTE + 3) });
      expect(
        await reporter.lookup(
          async () => 'cached',
          async () => 'x',
        ),
      ).toBe('cached');
      expect(
        await reporter.lookup(
          async () => null,
          async () => 'from stripe',
        ),
      ).toBe('from stripe');
      await reporter.flush();
      expect(reporter.stats).toEqual({ reported: 0, dropped: 2 });
    }
    dead.disconnect();
  });
});
