import type { AuditEntry, PlannedWrite } from '@cache-doctor/shared';
import type { ChainableCommander, Redis } from 'ioredis';
import { AppError } from '../lib/app-error';
import type { AuditDraft } from './audit-log';

/** The writer's steps (atomic-write.ts): reading the before-images, queueing the writes, the audited entry. */

/** GET + TTL of every key on the watching connection, in one pipelined round trip. */
export async function readImages(
  connection: Redis,
  keys: readonly string[],
): Promise<{ current: Record<string, string | null>; ttlBefore: Record<string, number> }> {
  const current: Record<string, string | null> = {};
  const ttlBefore: Record<string, number> = {};
  if (keys.length === 0) return { current, ttlBefore };
  const read = connection.pipeline();
  for (const key of keys) read.get(key).ttl(key);
  const replies = (await read.exec()) ?? [];
  keys.forEach((key, index) => {
    const [getError, value] = replies[index * 2] ?? [];
    // A key of another Redis type cannot be stored as a before-image, so undo could not bring
    // it back: refuse rather than overwrite it.
    if (getError)
      throw new AppError(
        'CONFLICT',
        `${key} is not a string value (${getError.message}); nothing was written.`,
      );
    current[key] = (value as string | null) ?? null;
    ttlBefore[key] = Number(replies[index * 2 + 1]?.[1] ?? -2);
  });
  return { current, ttlBefore };
}

export function queueWrite(transaction: ChainableCommander, write: PlannedWrite): void {
  if (write.after === null) transaction.del(write.key);
  else if (write.ttlSeconds === null) transaction.set(write.key, write.after, 'KEEPTTL');
  else if (write.ttlSeconds === 'persist') transaction.set(write.key, write.after);
  else transaction.set(write.key, write.after, 'EX', write.ttlSeconds);
}

/** The audit entry of a plan: its draft with the images of the keys it writes. */
export function auditedEntry(
  draft: AuditDraft | null,
  writes: readonly PlannedWrite[],
  ttlBefore: Record<string, number>,
): AuditEntry | null {
  return (
    draft && {
      ...draft,
      before: Object.fromEntries(writes.map((write) => [write.key, write.before])),
      after: Object.fromEntries(writes.map((write) => [write.key, write.after])),
      ttlBefore,
    }
  );
}

/** A plan is stale when a key no longer holds the value the plan was computed from. */
export const isStale = (writes: readonly PlannedWrite[], current: Record<string, string | null>) =>
  writes.some((write) => current[write.key] !== write.before);
