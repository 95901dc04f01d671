import type { AuditEntry } from '@cache-doctor/shared';
import type { Redis } from 'ioredis';
import { HttpError } from '../lib/http-error';
import type { AuditLog } from './audit-log';
import { redisReady } from './redis';

/** One key's planned change. `after: null` deletes the key. */
export interface PlannedWrite {
  key: string;
  /** the raw value the plan was computed from (null: the key did not exist) */
  before: string | null;
  after: string | null;
  /** seconds; null keeps the key's current expiry (or none); 'persist' leaves it without expiry */
  ttlSeconds: number | null | 'persist';
}

export type CommitResult =
  | { kind: 'committed'; entry: AuditEntry }
  | { kind: 'stale'; current: Record<string, string | null> };

const MAX_IDLE_CONNECTIONS = 4;

/**
 * WATCH belongs to a connection, so concurrent transactions on one shared client would guard
 * each other's keys. Each commit borrows a dedicated connection from a small pool instead.
 */
export class AtomicWriter {
  private readonly idle: Redis[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly audit: AuditLog,
  ) {}

  private async acquire(): Promise<Redis> {
    const pooled = this.idle.pop();
    if (pooled && pooled.status === 'ready') return pooled;
    pooled?.disconnect();
    const connection = this.redis.duplicate();
    connection.on('error', () => {});
    await redisReady(connection);
    return connection;
  }

  private release(connection: Redis): void {
    if (this.idle.length < MAX_IDLE_CONNECTIONS && connection.status === 'ready') this.idle.push(connection);
    else connection.disconnect();
  }

  /**
   * Commits the plan and its audit entry in one MULTI, but only if every key still holds the
   * value the plan was computed from. `stale` means someone wrote in between: re-read, re-plan,
   * try again — never interleave.
   */
  async commit(
    plan: readonly PlannedWrite[],
    entry: Omit<AuditEntry, 'before' | 'after' | 'ttlBefore'>,
    /** other audit entries to update in the same transaction, e.g. the one an undo reverts */
    alsoRecord: readonly AuditEntry[] = [],
  ): Promise<CommitResult> {
    const keys = plan.map((write) => write.key);
    const connection = await this.acquire();
    try {
      await connection.watch(...keys);
      const read = connection.pipeline();
      for (const key of keys) read.get(key).ttl(key);
      const replies = (await read.exec()) ?? [];
      const current: Record<string, string | null> = {};
      const ttlBefore: Record<string, number> = {};
      keys.forEach((key, index) => {
        const [getError, value] = replies[index * 2] ?? [];
        // A key of another Redis type cannot be stored as a before-image, so undo could not bring
        // it back: refuse rather than overwrite it.
        if (getError)
          throw new HttpError(
            409,
            'CONFLICT',
            `${key} is not a string value (${getError.message}); nothing was written.`,
          );
        current[key] = (value as string | null) ?? null;
        ttlBefore[key] = Number(replies[index * 2 + 1]?.[1] ?? -2);
      });
      if (plan.some((write) => current[write.key] !== write.before)) {
        await connection.unwatch();
        return { kind: 'stale', current };
      }
      const audited: AuditEntry = {
        ...entry,
        before: Object.fromEntries(plan.map((write) => [write.key, write.before])),
        after: Object.fromEntries(plan.map((write) => [write.key, write.after])),
        ttlBefore,
      };
      const transaction = connection.multi();
      for (const write of plan) {
        if (write.after === null) transaction.del(write.key);
        else if (write.ttlSeconds === null) transaction.set(write.key, write.after, 'KEEPTTL');
        else if (write.ttlSeconds === 'persist') transaction.set(write.key, write.after);
        else transaction.set(write.key, write.after, 'EX', write.ttlSeconds);
      }
      this.audit.appendTo(transaction, audited);
      for (const other of alsoRecord) this.audit.appendTo(transaction, other);
      const result = await transaction.exec();
      if (result === null) return { kind: 'stale', current };
      const failed = result.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
      return { kind: 'committed', entry: audited };
    } finally {
      this.release(connection);
    }
  }

  close(): void {
    for (const connection of this.idle.splice(0)) connection.disconnect();
  }
}
