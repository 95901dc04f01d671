import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, redisReady } from './adapters/redis';
import { DEFAULT_KEY_PATTERNS } from './config';
import { createKeys, globOfPrefixes, valueOfKey, valueOfPatternKey } from './keys';
import { type RedisServer, startRedisServer } from './lib/redis-server';

describe('valueOfKey', () => {
  it('takes a key name apart into the value it was built from, and refuses keys of another kind', () => {
    const keys = createKeys({ ...DEFAULT_KEY_PATTERNS, user: 'app:user:{userId}:v2' }, 'cache-doctor:');
    const userOf = valueOfKey(keys.user);
    expect(userOf(keys.user('user_123'))).toBe('user_123');
    expect(userOf('app:user::v2')).toBeNull();
    expect(userOf(keys.customer('cus_1'))).toBeNull();
    expect(valueOfPatternKey('prompt:{sessionId}')('prompt:cs_test_1')).toBe('cs_test_1');
  });
});

describe('globOfPrefixes', () => {
  it('keeps what the prefixes share and puts a class where they differ', () => {
    expect(globOfPrefixes(['prompt:', 'session:'])).toBe('[ps][re][os][ms][pi][to][:n]*');
    expect(globOfPrefixes(['app:prompt:', 'app:session:'])).toBe('app:[ps][re][os][ms][pi][to][:n]*');
    expect(globOfPrefixes(['p:', 'p:s:'])).toBe('p:*');
  });

  it("escapes what Redis' glob would read as a pattern, in and out of a class", () => {
    expect(globOfPrefixes(['[a]*?\\x', '[a]*?\\x'])).toBe('\\[a\\]\\*\\?\\\\x*');
    expect(globOfPrefixes(['-a', '^b', ']c'])).toBe('[\\-\\^\\]][abc]*');
  });

  it('stops at the first character outside ASCII, matching more rather than less', () => {
    expect(globOfPrefixes(['pré:', 'pro:'])).toBe('pr*');
  });
});

describe('scanPatternOfAll on a real redis-server', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = createRedis(server.url);
    await redisReady(redis);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  async function scanAll(glob: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', glob, 'COUNT', 100);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found.sort();
  }

  it('finds every key of each pattern in one pass, prefixes with glob characters included', async () => {
    const patterns = {
      ...DEFAULT_KEY_PATTERNS,
      prompt: 'a[1]*:prompt:{sessionId}',
      session: 'a[1]*:sess-{sessionId}',
    };
    const keys = createKeys(patterns, 'cache-doctor:');
    const wanted = ['cs_test_a1', 'cs_test_b2'].flatMap((id) => [keys.prompt(id), keys.session(id)]);
    const others = [keys.webhook('cs_test_a1'), 'a1:prompt:cs_test_a1', 'a[1]*:other', 'user:user_1'];
    await redis.mset(Object.fromEntries([...wanted, ...others].map((key) => [key, '{}'])));

    const found = await scanAll(keys.scanPatternOfAll(['prompt', 'session']));
    expect(found.filter((key) => wanted.includes(key))).toEqual([...wanted].sort());
    expect(found).not.toContain('a1:prompt:cs_test_a1');
    expect(found).not.toContain('user:user_1');
    expect(await scanAll(keys.scanPatternOfAll(['prompt']))).toEqual(
      [keys.prompt('cs_test_a1'), keys.prompt('cs_test_b2')].sort(),
    );
  });
});
