import type { Redis } from 'ioredis';

/**
 * What each of the app's keys holds now, in one MGET: the before-values a plan is built on (undo,
 * key removal). Null where a key is absent or holds another Redis type (MGET answers nil for it).
 */
export async function readValues(
  redis: Redis,
  keys: readonly string[],
): Promise<Record<string, string | null>> {
  const values = keys.length > 0 ? await redis.mget(...keys) : [];
  return Object.fromEntries(keys.map((key, index) => [key, values[index] ?? null]));
}
