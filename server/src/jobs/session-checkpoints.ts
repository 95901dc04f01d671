import type { CreatedRange } from '../services/created-ranges';
import type { RangeRead } from '../services/session-sweep';
import { type JobStore, RUN_DATA_TTL_SECONDS } from './store';

/**
 * A session sweep's checkpoints: the `created` ranges it reads Stripe's list in (cut once), each
 * range's cursor after its last recorded page, and the ranges done — in the job's run keys
 * (`parts`, `part-cursor`, `parts-done`, as the user sweep's collection), dropped when it ends.
 */

/** A range's field in the cursors and in the finished set. */
const rangeName = (range: CreatedRange) => `${range.gte}_${range.lt ?? ''}`;

/**
 * The ranges still to read, each with the cursor it goes on from. Cut once (`split`) and stored
 * before any is read, so a run taken over after a crash reads the same ranges on from their
 * checkpoints.
 */
export async function sessionReads(
  store: JobStore,
  jobId: string,
  split: () => Promise<RangeRead[]>,
): Promise<RangeRead[]> {
  const { redis } = store;
  const rangesKey = store.key(jobId, 'parts');
  if (!(await redis.exists(rangesKey))) {
    const ranges = (await split()).map((read) => read.range);
    await redis.set(rangesKey, JSON.stringify(ranges), 'EX', RUN_DATA_TTL_SECONDS, 'NX');
  }
  const ranges = JSON.parse((await redis.get(rangesKey)) ?? '[]') as CreatedRange[];
  const names = ranges.map(rangeName);
  if (names.length === 0) return [];
  const [cursors, done] = await Promise.all([
    redis.hmget(store.key(jobId, 'part-cursor'), ...names),
    redis.smismember(store.key(jobId, 'parts-done'), ...names),
  ]);
  return ranges
    .map((range, index) => ({ range, cursor: cursors[index] || null }))
    .filter((_, index) => done[index] === 0);
}

/**
 * The checkpoint after one page of a range: its unprocessed sessions, the count read and the
 * range's next cursor (or the range done), counted once — a page whose range has moved on already
 * (read again after a crash) changes nothing.
 */
export async function recordSessionPage(
  store: JobStore,
  jobId: string,
  page: { read: RangeRead; cursor: string | null; checked: number; found: readonly string[] },
): Promise<void> {
  await store.redis.eval(
    `if redis.call('SISMEMBER', KEYS[4], ARGV[1]) == 1 then return -1 end
     if (redis.call('HGET', KEYS[3], ARGV[1]) or '') ~= ARGV[2] then return -1 end
     for i = 5, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
     if ARGV[3] == '' then redis.call('SADD', KEYS[4], ARGV[1]) else redis.call('HSET', KEYS[3], ARGV[1], ARGV[3]) end
     for i = 2, 4 do redis.call('EXPIRE', KEYS[i], ${RUN_DATA_TTL_SECONDS}) end
     local found = redis.call('SCARD', KEYS[2])
     redis.call('HINCRBY', KEYS[1], 'checked', ARGV[4])
     redis.call('HSET', KEYS[1], 'total', found, 'withProblems', found)
     return found`,
    4,
    store.key(jobId),
    store.key(jobId, 'session-found'),
    store.key(jobId, 'part-cursor'),
    store.key(jobId, 'parts-done'),
    rangeName(page.read.range),
    page.read.cursor ?? '',
    page.cursor ?? '',
    String(page.checked),
    ...page.found,
  );
}
