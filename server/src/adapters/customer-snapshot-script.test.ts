import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_KEY_PATTERNS } from '../config';
import { healthSnapshotRequest } from '../domain/customer-snapshot';
import { createKeys, type Keys } from '../keys';
import { type RedisServer, startRedisServer } from '../lib/redis-server';
import { buildSeed, writeSeedToRedis } from '../sandbox/seed';
import { readCustomerKeysByScript } from './customer-snapshot-script';
import { type ReadSnapshot, readCustomerKeys, readCustomerSnapshot } from './customer-store';
import { createRedis, redisReady } from './redis';

/**
 * The reference: the health read as it was before the script, staged in three pipelined round
 * trips (mapping → record → email and subscriptions), each stage's keys named by the domain.
 */
async function stagedRead(redis: Redis, keys: Keys, userId: string): Promise<ReadSnapshot> {
  const mappingOnly = await readCustomerKeys(redis, keys, { userId });
  const withCustomerId = healthSnapshotRequest(userId, { mapping: mappingOnly.snapshot.mapping?.raw });
  if (!withCustomerId.customerId) return mappingOnly;
  const withRecord = await readCustomerKeys(redis, keys, withCustomerId);
  const full = healthSnapshotRequest(userId, {
    mapping: withRecord.snapshot.mapping?.raw,
    customer: withRecord.snapshot.customer?.raw,
  });
  return readCustomerKeys(redis, keys, full);
}

/** TTLs tick between two reads: compare them apart, within a second. */
function withoutTtls(read: ReadSnapshot) {
  const ttls = new Map<string, number>();
  const strip = <T extends { key: string; ttl: number }>(entry: T) => {
    ttls.set(entry.key, entry.ttl);
    return { ...entry, ttl: entry.ttl > 0 ? 'expires' : entry.ttl };
  };
  const { snapshot } = read;
  const fixed = {
    snapshot: {
      ...snapshot,
      mapping: snapshot.mapping && strip(snapshot.mapping),
      customer: snapshot.customer && strip(snapshot.customer),
      emailMapping: snapshot.emailMapping && strip(snapshot.emailMapping),
      previousEmailMapping: snapshot.previousEmailMapping && strip(snapshot.previousEmailMapping),
      subscriptions: snapshot.subscriptions.map(strip),
    },
    keys: read.keys.map(strip),
  };
  return { fixed, ttls };
}

function expectSameRead(actual: ReadSnapshot, expected: ReadSnapshot, label: string) {
  const a = withoutTtls(actual);
  const e = withoutTtls(expected);
  expect(a.fixed, label).toEqual(e.fixed);
  for (const [key, ttl] of e.ttls)
    expect(Math.abs((a.ttls.get(key) ?? -99) - ttl), key).toBeLessThanOrEqual(1);
}

describe('customer snapshot in one Lua round trip, on a real redis-server', () => {
  let server: RedisServer;
  let redis: Redis;
  const keys = createKeys(DEFAULT_KEY_PATTERNS, 'cache-doctor:');
  const seed = buildSeed({ users: 200, seed: 1, keys });

  beforeAll(async () => {
    server = await startRedisServer();
    redis = createRedis(server.url);
    await redisReady(redis);
    await writeSeedToRedis(redis, seed.redisWrites);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('reads exactly what the staged read reads, for every seeded user and planted problem', async () => {
    const userIds = Object.keys(seed.planted.users);
    expect(userIds.length).toBeGreaterThanOrEqual(200);
    for (const userId of userIds) {
      const read = await readCustomerSnapshot(redis, keys, userId);
      expectSameRead(read, await stagedRead(redis, keys, userId), userId);
      // no second round: the script itself read every key the snapshot holds
      const byScript = await readCustomerKeysByScript(redis, keys, userId);
      for (const entry of read.keys) expect(byScript.has(entry.key), entry.key).toBe(true);
    }
  });

  it('is one command: EVALSHA, and the script alone names every key the domain asks for', async () => {
    const userId = Object.entries(seed.planted.customerIds).find(([, id]) => id !== null)?.[0] ?? '';
    await readCustomerSnapshot(redis, keys, userId); // loads the script
    const sent = vi.spyOn(redis, 'sendCommand');
    const read = await readCustomerSnapshot(redis, keys, userId);
    expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['evalsha']);
    sent.mockRestore();
    expect(read.snapshot.customer?.raw).toEqual(expect.any(String));
    const byScript = await readCustomerKeysByScript(redis, keys, userId);
    for (const entry of read.keys) expect(byScript.has(entry.key), entry.key).toBe(true);
  });

  it('reports keys of another Redis type as existing without a value instead of failing', async () => {
    const userId = 'user_wrongtype1';
    const customerId = 'cus_wrongtype1';
    await redis.set(keys.user(userId), customerId);
    await redis.hset(keys.customer(customerId), 'email', 'x@example.com');
    await redis.sadd(keys.legacy.user(userId), 'cus_old');
    const read = await readCustomerSnapshot(redis, keys, userId);
    expect(read.snapshot.mapping?.raw).toBe(customerId);
    expect(read.snapshot.customer).toEqual({ key: keys.customer(customerId), raw: null, ttl: -1 });
    expect(read.snapshot.legacyKeys).toEqual([keys.legacy.user(userId)]);
    expect(read.keys).toContainEqual({ key: keys.customer(customerId), exists: true, ttl: -1, raw: null });
    expectSameRead(read, await stagedRead(redis, keys, userId), userId);
    const byScript = await readCustomerKeysByScript(redis, keys, userId);
    expect(byScript.get(keys.customer(customerId))?.wrongType).toBe('hash');
  });

  it('lowercases emails like normalizeEmail, reading any name the script cannot build (non-ASCII) after it', async () => {
    for (const [userId, email] of [
      ['user_emailcase1', '  Mixed.Case@Example.COM '],
      ['user_emailcase2', 'ÉMILE@Example.com'],
    ] as const) {
      const customerId = `cus_${userId.slice(5)}`;
      await redis.set(keys.user(userId), customerId);
      await redis.set(
        keys.customer(customerId),
        JSON.stringify({ email, subscriptions: ['sub_a', 'sub_a', '', 7, null, 'sub_b'] }),
      );
      await redis.set(keys.email(email), customerId);
      await redis.set(keys.subscription('sub_b'), JSON.stringify({ id: 'sub_b' }), 'EX', 600);
      const read = await readCustomerSnapshot(redis, keys, userId);
      expect(read.snapshot.emailMapping).toEqual({ key: keys.email(email), raw: customerId, ttl: -1 });
      expect(read.snapshot.subscriptions.map((entry) => entry.id)).toEqual(['sub_a', 'sub_b']);
      expectSameRead(read, await stagedRead(redis, keys, userId), userId);
    }
  });

  it('follows no mapping that is not a plain customer id', async () => {
    for (const [index, mapping] of ['"cus_quoted"', 'cus_a b', `cus_${'x'.repeat(252)}`, '{}'].entries()) {
      const userId = `user_badmapping${index}`;
      await redis.set(keys.user(userId), mapping);
      const read = await readCustomerSnapshot(redis, keys, userId);
      expect(read.snapshot.customer).toBeNull();
      expectSameRead(read, await stagedRead(redis, keys, userId), userId);
    }
  });

  it('builds names from configured patterns, with text after the placeholder too', async () => {
    const custom = createKeys(
      {
        ...DEFAULT_KEY_PATTERNS,
        user: 'app:{userId}:customer',
        customer: 'app:customers:{customerId}',
        email: 'app:{email}:owner',
        subscription: 'sub[{subscriptionId}]',
      },
      'cache-doctor:',
    );
    const customSeed = buildSeed({ users: 60, seed: 2, keys: custom });
    await writeSeedToRedis(redis, customSeed.redisWrites);
    for (const userId of Object.keys(customSeed.planted.users)) {
      expectSameRead(
        await readCustomerSnapshot(redis, custom, userId),
        await stagedRead(redis, custom, userId),
        userId,
      );
    }
  });
});
