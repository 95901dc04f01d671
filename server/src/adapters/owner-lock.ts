import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A lock under Cache Doctor's own prefix that only its owner may change or release: SET NX PX with
 * a random token, and Lua that acts only while the key still holds that token (it may have
 * expired and been taken by someone else meanwhile).
 */

/** Replaces the lock's value only while it still holds ours. */
const REPLACE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return false`;

/** Deletes the lock only while it still holds ours. */
const DELETE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export interface HeldLock {
  /** sets the lock's value (the outcome, for those waiting) and how long it is kept */
  replace(value: string, holdMs: number): Promise<void>;
  release(): Promise<void>;
}

/** Takes `key` for `ttlMs` with a token of `prefix` + random; null when someone holds it. */
export async function takeLock(
  redis: Redis,
  key: string,
  ttlMs: number,
  prefix = '',
): Promise<HeldLock | null> {
  const token = `${prefix}${randomBytes(12).toString('hex')}`;
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return null;
  return heldBy(redis, key, token);
}

/** Replaces the lock's value only while it still holds exactly `ARGV[1]` (a left-behind outcome). */
const TAKE_FROM = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return false`;

/**
 * Takes `key` over from an outcome a holder left in it (`expected`, e.g. an unresolved start);
 * null when it holds anything else by now (someone else took it first).
 */
export async function takeLockFrom(
  redis: Redis,
  key: string,
  expected: string,
  ttlMs: number,
  prefix = '',
): Promise<HeldLock | null> {
  const token = `${prefix}${randomBytes(12).toString('hex')}`;
  const taken = await redis.eval(TAKE_FROM, 1, key, expected, token, String(ttlMs));
  return taken === 'OK' ? heldBy(redis, key, token) : null;
}

function heldBy(redis: Redis, key: string, token: string): HeldLock {
  return {
    replace: async (value, holdMs) => {
      await redis.eval(REPLACE_IF_OWNER, 1, key, token, value, String(holdMs));
    },
    release: async () => {
      await redis.eval(DELETE_IF_OWNER, 1, key, token);
    },
  };
}
