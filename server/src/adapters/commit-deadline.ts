import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../lib/app-error';
import { DEFAULT_COMMAND_TIMEOUT_MS, isRedisUnavailable } from './redis';

/** Time kept back from the command deadline, so the guard has surely expired when EXEC gives up. */
const MARGIN_MS = 100;

/**
 * A commit's deadline, enforced by Redis itself so that a commit whose request already failed can
 * never land later (SPEC §6.1). Before WATCH the commit sets a guard key that expires after the
 * deadline budget (`PX`, on Redis' clock) and WATCHes it with the plan's keys; its MULTI deletes it.
 * An EXEC that Redis runs after the guard expired — Redis hung (SIGSTOP, overload) while the EXEC
 * sat in its socket, and resumed after we answered — finds a watched key expired and aborts.
 *
 * Why that covers the client's view: Redis set the guard before its reply reached us, so the guard
 * expires no later than `PX` after that reply; EXEC is sent after it and given the full command
 * timeout (> `PX`), so by the time EXEC times out here the guard is gone and the write cannot land.
 */
export class CommitDeadline {
  readonly key: string;
  private readonly budgetMs: number;
  private execSent = false;
  private armedAt = 0;

  constructor(
    private readonly connection: Redis,
    guardKey: (token: string) => string,
    commandTimeoutMs = connection.options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT_MS,
  ) {
    this.key = guardKey(randomBytes(8).toString('hex'));
    this.budgetMs = Math.max(MARGIN_MS, commandTimeoutMs - MARGIN_MS);
  }

  /** Sets the guard; the WATCH that follows must include `key`. */
  async arm(): Promise<void> {
    await this.connection.set(this.key, '1', 'PX', this.budgetMs);
    this.armedAt = Date.now();
  }

  /** Call right before EXEC: from here on a lost answer means "maybe written before the deadline". */
  sendingExec(): void {
    this.execSent = true;
  }

  /**
   * EXEC answered null: a watched key changed (stale), or the guard expired (deadline). Deleting the
   * guard tells which: 0 keys deleted means it had expired.
   */
  async expired(): Promise<boolean> {
    return (await this.connection.del(this.key)) === 0;
  }

  /** Drops the guard of a commit that stopped before EXEC (stale or declined). */
  async release(): Promise<void> {
    await this.connection.pipeline().unwatch().del(this.key).exec();
  }

  /** The answer to a commit that ran out of time, saying whether it was written. */
  failure(error: unknown): AppError | null {
    if (!(error instanceof Error) || error instanceof AppError || !isRedisUnavailable(error)) return null;
    if (!this.execSent) return notWritten(error.message);
    const decidedBy = new Date(this.armedAt + this.budgetMs).toISOString();
    return new AppError(
      'REDIS_UNAVAILABLE',
      `Redis did not confirm the write (${error.message}). If Redis ran it before ${decidedBy} it is complete and in the audit log; after that moment it can no longer be applied. Check the keys before trying again.`,
      { written: 'unknown', decidedBy },
    );
  }

  /** EXEC was refused because the guard expired: nothing was written, and nothing will be. */
  static expiredError(): AppError {
    return notWritten('Redis answered too late for the commit deadline');
  }
}

function notWritten(reason: string): AppError {
  return new AppError(
    'REDIS_UNAVAILABLE',
    `Redis is unreachable or too slow (${reason}); nothing was written, and the write will not be applied later. Try again shortly.`,
    { written: false },
  );
}
