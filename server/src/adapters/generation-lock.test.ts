import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../lib/redis-server';
import { GenerationLock } from './generation-lock';

describe('GenerationLock (real redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  const DAY_MS = 24 * 3600_000;

  it('a recorded start is kept minutes, for the requests that waited on it', async () => {
    const lock = new GenerationLock(redis, 'lock:recorded', 5_000);
    await (await lock.take())?.done({ generationId: 'file_1', auditId: 'audit_1' });
    const ttl = await redis.pttl('lock:recorded');
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThan(DAY_MS);
  });

  it('a start the session records do not name is kept as long as an unknown start, and keeps blocking Fix', async () => {
    const lock = new GenerationLock(redis, 'lock:unrecorded', 5_000);
    await (await lock.take())?.unrecorded('file_2');
    expect(await redis.pttl('lock:unrecorded')).toBeGreaterThan(7 * DAY_MS);
    expect(await lock.fixBlock()).toMatchObject({ kind: 'done', outcome: { generationId: 'file_2' } });
    expect(await lock.take()).toBeNull();
  });

  it("a Fix holds the lock seconds, not a generation's time, so one whose process died soon frees the session", async () => {
    const lock = new GenerationLock(redis, 'lock:fixing', 90_000);
    expect('held' in (await lock.takeForFix())).toBe(true);
    const ttl = await redis.pttl('lock:fixing');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });
});
