import type { AuditEntry } from '@cache-doctor/shared';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_KEY_PATTERNS } from '../config';
import { createKeys } from '../keys';
import { type RedisServer, startRedisServer } from '../lib/redis-server';
import { AtomicWriter } from './atomic-write';
import { AuditLog } from './audit-log';
import { createRedis, redisReady } from './redis';

const keys = createKeys(DEFAULT_KEY_PATTERNS, 'cache-doctor:');

describe('AtomicWriter on a real redis-server', () => {
  let server: RedisServer;
  let redis: Redis;
  let audit: AuditLog;
  let writer: AtomicWriter;
  const entry = (id: string): Omit<AuditEntry, 'before' | 'after' | 'ttlBefore'> => ({
    id,
    at: new Date(0).toISOString(),
    actor: 'tester',
    role: 'ops',
    action: 'refresh',
    target: 'user_1',
    result: 'applied',
  });

  beforeAll(async () => {
    server = await startRedisServer();
    redis = createRedis(server.url);
    await redisReady(redis);
    audit = new AuditLog(redis, keys);
    writer = new AtomicWriter(redis, audit);
  });
  afterAll(async () => {
    writer.close();
    redis.disconnect();
    await server.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
  });

  it('writes every key with its TTL and the audit entry together', async () => {
    await redis.set('user:user_1', 'cus_old');
    const result = await writer.commit({
      writes: [
        { key: 'user:user_1', before: 'cus_old', after: 'cus_new', ttlSeconds: 86400 },
        { key: 'email:a@b.c', before: null, after: 'cus_new', ttlSeconds: 86400 },
      ],
      audit: entry(audit.newId()),
    });
    expect(result.kind).toBe('committed');
    expect(await redis.get('user:user_1')).toBe('cus_new');
    expect(await redis.ttl('email:a@b.c')).toBeGreaterThan(86000);
    const stored = await audit.get(result.kind === 'committed' ? (result.entry?.id ?? '') : '');
    expect(stored?.before).toEqual({ 'user:user_1': 'cus_old', 'email:a@b.c': null });
    expect(stored?.ttlBefore).toEqual({ 'user:user_1': -1, 'email:a@b.c': -2 });
  });

  it('refuses a plan computed from values that changed since, writing nothing', async () => {
    await redis.set('user:user_1', 'cus_changed_meanwhile');
    const result = await writer.commit({
      writes: [{ key: 'user:user_1', before: 'cus_old', after: 'cus_new', ttlSeconds: 86400 }],
      audit: entry(audit.newId()),
    });
    expect(result).toEqual({ kind: 'stale', current: { 'user:user_1': 'cus_changed_meanwhile' } });
    expect(await redis.get('user:user_1')).toBe('cus_changed_meanwhile');
    expect((await audit.list({ limit: 10 })).entries).toEqual([]);
  });

  it('lets exactly one of two racing commits from the same before-image win', async () => {
    await redis.set('customer:cus_1', '{"v":0}');
    const plans = ['{"v":1}', '{"v":2}'].map((after) =>
      writer.commit({
        writes: [{ key: 'customer:cus_1', before: '{"v":0}', after, ttlSeconds: null }],
        audit: entry(audit.newId()),
      }),
    );
    const results = await Promise.all(plans);
    expect(results.map((r) => r.kind).sort()).toEqual(['committed', 'stale']);
    expect((await audit.list({ limit: 10 })).entries).toHaveLength(1);
  });

  it('keeps the current expiry when the plan says so and deletes on null', async () => {
    await redis.set('session:cs_test_1', '{}', 'EX', 1000);
    await redis.set('stripe:user:user_1', 'cus_1');
    await writer.commit({
      writes: [
        { key: 'session:cs_test_1', before: '{}', after: '{"a":1}', ttlSeconds: null },
        { key: 'stripe:user:user_1', before: 'cus_1', after: null, ttlSeconds: null },
      ],
      audit: entry(audit.newId()),
    });
    expect(await redis.ttl('session:cs_test_1')).toBeGreaterThan(990);
    expect(await redis.exists('stripe:user:user_1')).toBe(0);
  });

  it('refuses to overwrite a key of another Redis type, writing nothing', async () => {
    await redis.hset('user:user_1', 'customerId', 'cus_1');
    await expect(
      writer.commit({
        writes: [
          { key: 'email:a@b.c', before: null, after: 'cus_1', ttlSeconds: 86400 },
          { key: 'user:user_1', before: null, after: 'cus_1', ttlSeconds: 86400 },
        ],
        audit: entry(audit.newId()),
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await redis.hgetall('user:user_1')).toEqual({ customerId: 'cus_1' });
    expect(await redis.exists('email:a@b.c')).toBe(0);
  });

  it('pages the audit log newest first with a stable cursor and filters', async () => {
    for (let i = 0; i < 5; i += 1) {
      await audit.record({
        ...entry(audit.newId(1_000_000 + i)),
        actor: i % 2 === 0 ? 'even' : 'odd',
        target: `user_${i}`,
        before: {},
        after: {},
      });
    }
    const first = await audit.list({ limit: 2 });
    expect(first.entries.map((e) => e.target)).toEqual(['user_4', 'user_3']);
    const second = await audit.list({ limit: 2, cursor: first.cursor ?? undefined });
    expect(second.entries.map((e) => e.target)).toEqual(['user_2', 'user_1']);
    const last = await audit.list({ limit: 2, cursor: second.cursor ?? undefined });
    expect(last).toEqual({ entries: [expect.objectContaining({ target: 'user_0' })], cursor: null });
    const odd = await audit.list({ limit: 10, actor: 'odd' });
    expect(odd.entries.map((e) => e.target)).toEqual(['user_3', 'user_1']);
  });
});
