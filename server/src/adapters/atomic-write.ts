import type { AuditEntry, PlannedWrite } from '@cache-doctor/shared';
import type { ChainableCommander, Redis } from 'ioredis';
import { OWN_KEYS } from '../keys';
import { AppError } from '../lib/app-error';
import type { AuditDraft, AuditLog } from './audit-log';
import type { PendingAudit, PendingRecord } from './audit-pending';
import { CommitDeadline } from './commit-deadline';
import { auditedEntry, isStale, queueWrite, readImages } from './commit-steps';
import { ConnectionPool } from './connection-pool';

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

/**
 * The one committer to the app's keys (single user, session, undo, job batches): WATCH the keys,
 * compare each with the before-image its plan was computed from, then the writes in one MULTI.
 * A concurrent writer makes the commit stale — re-read, re-plan, try again (`commitRetrying`) —
 * never an interleaved half.
 *
 * Where the audit entry (and a job batch's bookkeeping) goes depends on where Cache Doctor's own
 * data lives (docs/decisions/0011-own-redis.md). In the app's Redis (the default) it rides in the
 * same MULTI. In a Redis of its own (`OWN_REDIS_URL`) no MULTI holds both, so the one path takes
 * three steps: the entry is kept pending in the own Redis, the app's MULTI carries an
 * applied-marker with the writes, and then the entry is settled into the log (with the batch's
 * bookkeeping). A plan without writes (a policy change, a job's own keys) commits in the own Redis.
 */
export class AtomicWriter {
  private readonly appPool: ConnectionPool;
  private readonly ownPool: ConnectionPool;

  constructor(
    app: Redis,
    private readonly audit: AuditLog,
    private readonly own: Redis = app,
  ) {
    this.appPool = new ConnectionPool(app);
    this.ownPool = own === app ? this.appPool : new ConnectionPool(own);
  }

  /** One attempt: commits the plan only if every key still holds the value it was planned from. */
  async commit(plan: WritePlan): Promise<CommitResult> {
    const { writes, guard } = plan;
    const keys = writes.map((write) => write.key);
    // null when one MULTI holds the writes and their record: one Redis, or nothing in the app's
    const pending = writes.length > 0 ? this.audit.pending : null;
    // own keys cannot be watched from the app's Redis: asked now, and again under WATCH in step 3
    if (pending && guard && !(await guard.allows(this.own))) return { kind: 'declined' };
    const pool = writes.length > 0 ? this.appPool : this.ownPool;
    const connection = await pool.acquire();
    const deadline = new CommitDeadline(connection, (token) =>
      this.audit.keys.own(`${OWN_KEYS.commitDeadline}${token}`),
    );
    let healthy = true;
    let record: PendingRecord | null = null;
    try {
      await deadline.arm();
      await connection.watch(deadline.key, ...(pending ? [] : (guard?.watch ?? [])), ...keys);
      if (!pending && guard && !(await guard.allows(connection))) {
        await deadline.release();
        return { kind: 'declined' };
      }
      const { current, ttlBefore } = await readImages(connection, keys);
      if (isStale(writes, current)) {
        await deadline.release();
        return { kind: 'stale', current };
      }
      const entry = auditedEntry(plan.audit, writes, ttlBefore);
      const alsoRecord = [...(plan.alsoRecord ?? [])];
      record = entry && { entry, alsoRecord, deadlineKey: deadline.key };
      // step 1 (two Redis servers): the entry kept unseen until its writes are known
      if (pending && record) await pending.open(record);
      const transaction = connection.multi();
      for (const write of writes) queueWrite(transaction, write);
      if (pending) {
        if (entry) pending.markApplied(transaction, entry.id);
      } else {
        if (entry) this.audit.appendTo(transaction, entry);
        for (const other of alsoRecord) this.audit.appendTo(transaction, other);
        guard?.alongside(transaction);
      }
      transaction.del(deadline.key);
      deadline.sendingExec();
      const result = await transaction.exec();
      if (result === null) {
        // nothing was written, so nothing to record (if this fails, reconciliation drops it)
        if (pending && entry) await pending.drop(entry.id).catch(() => {});
        if (await deadline.expired()) throw CommitDeadline.expiredError();
        // WATCH fired: a key changed, or (a job batch) another worker committed this very batch
        return { kind: 'stale', current };
      }
      const failed = result.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
    } catch (error) {
      // a connection that timed out may still be inside WATCH or MULTI: never reuse it
      healthy = false;
      throw deadline.failure(error) ?? error;
    } finally {
      pool.release(connection, healthy);
    }
    if (pending) await this.settle(pending, record, guard);
    return { kind: 'committed', entry: record?.entry ?? null, written: writes };
  }

  /**
   * Step 3 (two Redis servers). The writes have landed, so this never says otherwise: when the own
   * Redis cannot take the entry now, the next read of the log settles it by its marker. A job
   * batch's bookkeeping cannot wait for that, so its failure is thrown (the batch runs again, and
   * finds its users refreshed).
   */
  private async settle(pending: PendingAudit, record: PendingRecord | null, guard: CommitGuard | undefined) {
    if (!record && !guard) return;
    const connection = await this.ownPool.acquire().catch((error: unknown) => {
      if (guard) throw error;
      return null;
    });
    if (!connection) return;
    let healthy = true;
    try {
      let allowed = false;
      if (guard) {
        if (guard.watch.length > 0) await connection.watch(...guard.watch);
        allowed = await guard.allows(connection);
        if (!allowed) await connection.unwatch();
      }
      const transaction = connection.multi();
      if (record) pending.settleOn(transaction, record);
      if (allowed) guard?.alongside(transaction);
      // a watched key changed (another worker recorded this batch, or it was cancelled): the entry alone
      if ((await transaction.exec()) === null && record) await pending.settle(record);
    } catch (error) {
      healthy = false;
      if (guard) throw error;
    } finally {
      this.ownPool.release(connection, healthy);
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
    this.appPool.close();
    this.ownPool.close();
  }
}
