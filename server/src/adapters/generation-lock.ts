import type { Redis } from 'ioredis';
import { AppError } from '../lib/app-error';
import { type HeldLock, takeLock, takeLockFrom } from './owner-lock';

/**
 * One session's generation lock (SPEC §3: a second click returns the first generation, never
 * starts two). Held while one request talks to the generation API; then it keeps the outcome for
 * a while, so requests that waited on it answer with the same generation (or the same failure).
 */

/** What a finished generation's lock tells the requests that waited on it. */
export interface LockOutcome {
  generationId: string;
  auditId: string | null;
}

/**
 * A start whose answer never came (deadline passed, connection reset): the video may exist at the
 * generation API, so the lock keeps saying so until someone deliberately tries again (SPEC §3).
 */
export interface UnknownStart {
  /** ISO time of the start */
  at: string;
  /** the staff id that pressed Generate (Clerk user id; token name in token mode) */
  actor: string;
  /** their display name when it happened, shown beside the id; absent in starts recorded before it was kept */
  actorName?: string;
  /** the audit entry that records it */
  auditId: string | null;
  /** the failed generation this start replaced, if any */
  replacing: string | null;
}

export type Waited =
  | { kind: 'done'; outcome: LockOutcome; value: string }
  | { kind: 'failed'; message: string }
  | { kind: 'unknown'; start: UnknownStart; value: string }
  | { kind: 'free' };

/**
 * What keeps Fix session ("Mark as failed": generation not started) from writing now: a start
 * talking to the API, one just made, or one whose outcome is unknown — a paid video may exist.
 */
export type FixBlock =
  | { kind: 'running' }
  | { kind: 'done'; outcome: LockOutcome }
  | { kind: 'unknown'; start: UnknownStart };

/** The lock's value, read. */
type LockValue =
  | { kind: 'free' }
  | { kind: 'running' }
  | { kind: 'fixing' }
  | { kind: 'done'; outcome: LockOutcome }
  | { kind: 'failed'; message: string }
  | { kind: 'unknown'; start: UnknownStart };

export interface GenerationLockHold {
  /** the generation started: keep its outcome for those waiting */
  done(outcome: LockOutcome): Promise<void>;
  /**
   * the API started a video the session's records do not name (their write failed): keep saying so
   * as long as an unknown start, or once the lock lapsed Generate would start a second paid video
   */
  unrecorded(generationId: string): Promise<void>;
  /** the API refused: keep the failure briefly, so a burst of clicks gets one answer */
  failed(message: string): Promise<void>;
  /** the start's outcome is unknown: keep the lock saying so, for as long as a session lives */
  unknown(start: UnknownStart): Promise<void>;
  release(): Promise<void>;
}

const RUNNING = 'running:';
const DONE = 'done:';
const FAILED = 'failed:';
const UNKNOWN = 'unknown:';
/** held by a Fix while it writes: Generate waits for it, then re-reads and sees the status */
const FIXING = 'fixing:';
/** An unknown start is kept as long as the session's records live (30 days). */
const UNKNOWN_HOLD_MS = 30 * 24 * 3600_000;
/** What a finished generation's lock keeps, for requests that waited on it. */
const DONE_HOLD_MS = 10 * 60_000;
/**
 * A failure is kept this long so requests that queued behind it, or a burst of clicks, get the
 * same answer instead of each calling the API again (no retry storm); later, a retry is allowed.
 */
const FAILED_HOLD_MS = 3_000;
const WAIT_POLL_MS = 25;
/**
 * How long a Fix holds the lock at most: it holds it only for its Redis reads and its commit (each
 * command under the Redis deadline), so a Fix whose process died frees the session within seconds.
 */
const FIX_HOLD_MS = 10_000;
/** how long a Fix waits for another Fix of the same session: longer than a dead one's hold */
const FIX_WAIT_MS = FIX_HOLD_MS + 2_000;

function parse(value: string | null): LockValue {
  if (value === null) return { kind: 'free' };
  if (value.startsWith(DONE))
    return { kind: 'done', outcome: JSON.parse(value.slice(DONE.length)) as LockOutcome };
  if (value.startsWith(FAILED)) return { kind: 'failed', message: value.slice(FAILED.length) };
  if (value.startsWith(UNKNOWN))
    return { kind: 'unknown', start: JSON.parse(value.slice(UNKNOWN.length)) as UnknownStart };
  if (value.startsWith(FIXING)) return { kind: 'fixing' };
  return { kind: 'running' };
}

/** A start that was refused, another Fix, or nothing: none of these may have made a video. */
const blocksFix = (lock: LockValue): lock is FixBlock =>
  lock.kind === 'running' || lock.kind === 'done' || lock.kind === 'unknown';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class GenerationLock {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    /** how long a holder may talk to the API before the lock lapses */
    private readonly ttlMs: number,
  ) {}

  async take(): Promise<GenerationLockHold | null> {
    const held: HeldLock | null = await takeLock(this.redis, this.key, this.ttlMs, RUNNING);
    if (!held) return null;
    return this.holding(held);
  }

  /**
   * Takes the lock over from an outcome left in it (`value` as `wait` saw it): an unknown start
   * after the second confirmation, or a generation that has failed since. Null if it moved on.
   */
  async takeFrom(value: string): Promise<GenerationLockHold | null> {
    const held = await takeLockFrom(this.redis, this.key, value, this.ttlMs, RUNNING);
    return held && this.holding(held);
  }

  /** What keeps Fix session from writing now (for its preview and the session page); null when nothing. */
  async fixBlock(): Promise<FixBlock | null> {
    const lock = parse(await this.redis.get(this.key));
    return blocksFix(lock) ? lock : null;
  }

  /**
   * Takes the lock for a Fix's write, so that no Generate starts a video meanwhile (it waits, then
   * re-reads and finds the status). Free, or left by a refused start: taken. Another Fix writing:
   * waited for. A start in flight, just made or of unknown outcome: `blocked`, and nothing taken.
   */
  async takeForFix(): Promise<{ held: HeldLock } | { blocked: FixBlock }> {
    const deadline = Date.now() + FIX_WAIT_MS;
    while (Date.now() < deadline) {
      const value = await this.redis.get(this.key);
      const lock = parse(value);
      if (blocksFix(lock)) return { blocked: lock };
      const held =
        value === null
          ? await takeLock(this.redis, this.key, FIX_HOLD_MS, FIXING)
          : lock.kind === 'failed'
            ? await takeLockFrom(this.redis, this.key, value, FIX_HOLD_MS, FIXING)
            : null;
      if (held) return { held };
      if (lock.kind === 'fixing') await delay(WAIT_POLL_MS);
    }
    throw new AppError(
      'CONFLICT',
      'Another "Mark as failed" of this session is still writing; look again shortly.',
    );
  }

  private holding(held: HeldLock): GenerationLockHold {
    return {
      unknown: (start) => held.replace(`${UNKNOWN}${JSON.stringify(start)}`, UNKNOWN_HOLD_MS),
      done: (outcome) => held.replace(`${DONE}${JSON.stringify(outcome)}`, DONE_HOLD_MS),
      unrecorded: (generationId) =>
        held.replace(`${DONE}${JSON.stringify({ generationId, auditId: null })}`, UNKNOWN_HOLD_MS),
      failed: (message) => held.replace(`${FAILED}${message}`, FAILED_HOLD_MS),
      release: () => held.release(),
    };
  }

  /** Waits while another request holds the lock, then says how it ended. */
  async wait(): Promise<Waited> {
    const deadline = Date.now() + this.ttlMs + 1_000;
    while (Date.now() < deadline) {
      const value = await this.redis.get(this.key);
      const lock = parse(value);
      if (lock.kind === 'free' || lock.kind === 'failed') return lock;
      if (value !== null && (lock.kind === 'done' || lock.kind === 'unknown')) return { ...lock, value };
      // a start talking to the API, or a Fix writing
      await delay(WAIT_POLL_MS);
    }
    throw new AppError(
      'CONFLICT',
      'Another generation request for this session is still running; look again shortly.',
    );
  }
}
