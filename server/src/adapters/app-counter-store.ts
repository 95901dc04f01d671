import { appCountersKey } from '@cache-doctor/shared/reporter';
import type { Redis } from 'ioredis';

/**
 * The per-minute counter hashes the app reports into its own Redis (SPEC §5.1,
 * `shared/reporter.ts`), one HGETALL each, pipelined: one round trip. An absent minute is `{}`.
 */
export async function readAppCounterMinutes(
  redis: Redis,
  prefix: string,
  minutes: readonly number[],
): Promise<Record<string, string>[]> {
  const pipeline = redis.pipeline();
  for (const minute of minutes) pipeline.hgetall(appCountersKey(prefix, minute));
  const replies = (await pipeline.exec()) ?? [];
  return minutes.map((_, index) => {
    const [error, hash] = replies[index] ?? [null, {}];
    if (error) throw error;
    return (hash ?? {}) as Record<string, string>;
  });
}
