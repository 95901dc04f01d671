import type { AuditEntry, PlannedWrite } from '@cache-doctor/shared';
import type { ChainableCommander, Redis } from 'ioredis';
import { OWN_KEYS } from '../keys';
import { AppError } from '../lib/app-error';
import type { AuditDraft, AuditLog } from './audit-log';
import { CommitDeadline } from './commit-deadline';
import { redisReady, withinCommandTimeout } from './redis';

/**
 * What to commit: the writes, the audit entry that records them (its before/after images are
 * filled in from the writes), and for a job batch a guard over Cache Doctor's own keys.
 */
export interface WritePlan {
  writes: readonly PlannedWrite[];
  /** null only when there is nothing to record (a job batch that diagnosed and wrote nothing) */
  audit: AuditDraft | null;
  /** other audit entries to update in the same transaction, e.g. the one an undo reverts */
  alsoRecord?: readonly AuditEntry[];
  guard?: CommitGuard;
}

/** A job batch's own bookkeeping, committed in the same transaction as its cache writes. */
export interface CommitGuard {
  /** own keys whose change aborts the commit (the batch's done-marker, the job's cancel flag) */
  watch: readonly string[];
  /** asked on the watching connection before anything is compared: false commits nothing */
  allows(connection: Redis): Promise<boolean>;
  /** further commands for the same MULTI (the batch's results, counters and marker) */
  alongside(transaction: ChainableCommander): void;
}

export type CommitResult =
  | { kind: 'committed'; entry: AuditEntry | null; written: readonly PlannedWrite[] }
  | { kind: 'stale'; current: Record<string, string | null> }
  /** the guard declined (the batch was already done, or the job is no longer running) */
  | { kind: 'declined' };

export type Committed = Extract<CommitResult, { kind: 'committed' | 'declined' }>;

const MAX_IDLE_CONNECTIONS = 4;

/**
 * The one committer to the app's keys (single user, session, undo, job batches): WATCH the keys,
 * compare each with the before-image its plan was computed from, then the writes and the audit
 * entry holding those before-images in one MULTI. A concurrent writer makes the commit stale —
 * re-read, re-plan, try again (`commitRetrying`) — never an interleaved half.
 *
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
    try {
      await withinCommandTimeout(connection, redisReady(connection));
    } catch (error) {
      connection.disconnect();
      throw error;
    }
    return connection;
  }

  private release(connection: Redis): void {
    if (this.idle.length < MAX_IDLE_CONNECTIONS && connection.status === 'ready') this.idle.push(connection);
    else connection.disconnect();
  }

  /** One attempt: commits the plan only if every key still holds the value it was planned from. */
  async commit(plan: WritePlan): Promise<CommitResult> {
    const { writes, guard } = plan;
    const keys = writes.map((write) => write.key);
    const connection = await this.acquire();
    const deadline = new CommitDeadline(connection, (token) =>
      this.audit.keys.own(`${OWN_KEYS.commitDeadline}${token}`),
    );
    let healthy = true;
    try {
      await deadline.arm();
      await connection.watch(deadline.key, ...(guard?.watch ?? []), ...keys);
      if (guard && !(await guard.allows(connection))) {
        await deadline.release();
        return { kind: 'declined' };
      }
      const { current, ttlBefore } = await readImages(connection, keys);
      if (writes.some((write) => current[write.key] !== write.before)) {
        await deadline.release();
        return { kind: 'stale', current };
      }
      const entry: AuditEntry | null = plan.audit && {
        ...plan.audit,
        before: Object.fromEntries(writes.map((write) => [write.key, write.before])),
        after: Object.fromEntries(writes.map((write) => [write.key, write.after])),
        ttlBefore,
      };
      const transaction = connection.multi();
      for (const write of writes) queueWrite(transaction, write);
      if (entry) this.audit.appendTo(transaction, entry);
      for (const other of plan.alsoRecord ?? []) this.audit.appendTo(transaction, other);
      guard?.alongside(transaction);
      transaction.del(deadline.key);
      deadline.sendingExec();
      const result = await transaction.exec();
      if (result === null) {
        if (await deadline.expired()) throw CommitDeadline.expiredError();
        // WATCH fired: a key changed, or (a job batch) another worker committed this very batch
        return { kind: 'stale', current };
      }
      const failed = result.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
      return { kind: 'committed', entry, written: writes };
    } catch (error) {
      // a connection that timed out may still be inside WATCH or MULTI: never reuse it
      healthy = false;
      throw deadline.failure(error) ?? error;
    } finally {
      if (healthy) this.release(connection);
      else connection.disconnect();
    }
  }

  /**
   * Plans and commits, re-planning from a fresh read when a concurrent writer made the commit
   * stale. `planOf` reads what it needs and may throw a refusal; after `attempts` stale commits
   * the answer is CONFLICT with `conflict` as its words, and nothing was written.
   */
  async commitRetrying<Plan extends WritePlan>(
    planOf: (attempt: number) => Promise<Plan>,
    options: { attempts: number; conflict: string },
  ): Promise<Committed & { plan: Plan }> {
    for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
      const plan = await planOf(attempt);
      const result = await this.commit(plan);
      if (result.kind !== 'stale') return { ...result, plan };
    }
    throw new AppError('CONFLICT', options.conflict);
  }

  close(): void {
    for (const connection of this.idle.splice(0)) connection.disconnect();
  }
}

/** GET + TTL of every key on the watching connection, in one pipelined round trip. */
async function readImages(
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

function queueWrite(transaction: ChainableCommander, write: PlannedWrite): void {
  if (write.after === null) transaction.del(write.key);
  else if (write.ttlSeconds === null) transaction.set(write.key, write.after, 'KEEPTTL');
  else if (write.ttlSeconds === 'persist') transaction.set(write.key, write.after);
  else transaction.set(write.key, write.after, 'EX', write.ttlSeconds);
}
