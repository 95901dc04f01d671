import type { JobSessionResult, SessionSweepAction, Staff } from '@cache-doctor/shared';
import type { Queue } from 'bullmq';
import { takeLock } from '../adapters/owner-lock';
import { SharedRateLimiter } from '../adapters/rate-limiter';
import type { SweptSession } from '../domain/session-sweep';
import { OWN_KEYS } from '../keys';
import { type AppError, isAppError } from '../lib/app-error';
import type { BatchUpstream } from '../services/batch-upstream';
import type { Services } from '../services/container';
import { fixSession } from '../services/session-fix';
import { generateVideo } from '../services/session-generate';
import {
  completedSessionRanges,
  runScheduledSessionSweep,
  sweepCompletedSessions,
} from '../services/session-sweep';
import { scheduleEvery } from './scheduled-sweep';
import { recordSessionPage, sessionReads } from './session-checkpoints';
import { type JobRecord, type JobStore, jobActor } from './store';

/**
 * The `session-sweep` job (SPEC §6.4): Stripe's completed checkout sessions since a date, in
 * parallel `created` ranges, a page at a time; every unprocessed one gets a result — reported, or
 * repaired with the single-session Fix session / Generate video (their guarantees and their audit
 * entry per session), at most SESSION_REPAIRS_PER_SECOND across every worker. A confirmed repair
 * acts only on the sessions its plan named (SPEC §3); any other it finds is skipped as NOT_IN_PLAN.
 * Each page ends with a checkpoint of its range (cursor, count, sessions found), and each session's
 * result is recorded once, so a task taken over after a crash goes on from each range's last page
 * without repeating a result.
 */

/** Repairs per second over all workers: generation starts cost the generation API real work. */
export const SESSION_REPAIRS_PER_SECOND = 20;

/** BullMQ id of the scheduled run's scheduler: one, whichever instance registers it. */
export const SESSION_SWEEP_SCHEDULER_ID = 'scheduled-session-sweep';

/** Registers (or moves) the scheduled run; every instance may call it, they share one scheduler. */
export const scheduleSessionSweep = (queue: Queue, everyMs: number) =>
  scheduleEvery(queue, SESSION_SWEEP_SCHEDULER_ID, everyMs);

/** Longer than any run takes; it only outlives a run whose worker died. */
const SCHEDULED_LOCK_MS = 10 * 60_000;

/**
 * One scheduled run, unless another is still going: BullMQ adds the next run when this one starts,
 * so a run slower than the interval would otherwise overlap the next on another worker.
 */
export async function runScheduledOnce(services: Services): Promise<boolean> {
  const lock = await takeLock(
    services.ownRedis,
    services.keys.own(OWN_KEYS.scheduledSessionSweepLock),
    SCHEDULED_LOCK_MS,
  );
  if (!lock) return false;
  try {
    await runScheduledSessionSweep(services);
    return true;
  } finally {
    await lock.release();
  }
}

/** A skipped session's reason when it was found after the plan was confirmed (SPEC §3). */
export const NOT_IN_PLAN = 'not-in-plan';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A refusal the single-session repair makes on purpose is a skip, not a failure. */
const isRefusal = (error: unknown): error is AppError =>
  isAppError(
    error,
    'STATUS_EXISTS',
    'PAYMENT_NOT_COMPLETED',
    'SESSION_MALFORMED',
    'ACTION_NOT_AVAILABLE',
    'SESSION_NOT_FOUND',
    'CONFLICT',
    'GENERATION_NOT_CONFIGURED',
    'GENERATION_OUTCOME_UNKNOWN',
    'GENERATION_IN_PROGRESS',
  );

export class SessionSweepTask {
  private readonly repairLimiter: SharedRateLimiter;

  constructor(
    private readonly services: Services,
    private readonly store: JobStore,
    private readonly upstream: BatchUpstream,
  ) {
    this.repairLimiter = new SharedRateLimiter(
      services.ownRedis,
      services.keys.own(OWN_KEYS.sessionRepairRate),
      {
        requests: SESSION_REPAIRS_PER_SECOND,
        windowMs: 1000,
      },
    );
  }

  /** Runs the job from its checkpoints; false when it was cancelled meanwhile. */
  async run(record: JobRecord): Promise<boolean> {
    const since = Math.floor(Date.parse(record.since ?? '') / 1000);
    const actor = jobActor(record);
    const action = record.action ?? 'report';
    // a confirmed "Fix all" / "Generate all" repairs only the sessions its plan named
    const confirmed = action === 'report' ? null : await this.store.planSessions(record.id);
    const reads = await sessionReads(this.store, record.id, () =>
      completedSessionRanges(this.upstream, since),
    );
    for await (const page of sweepCompletedSessions(this.services, this.upstream, reads)) {
      const found = page.swept.filter((session) => session.unprocessed);
      if (action === 'report') {
        // nothing to repair: the page's results recorded at once (each still counted once)
        await Promise.all(
          found.map(async (session) =>
            this.store.recordSessionResult(record.id, await this.handle(session, action, actor, record.id)),
          ),
        );
      } else {
        for (const session of found) {
          if (await this.cancelled(record.id)) return false;
          if (await this.store.hasSessionResult(record.id, session.facts.sessionId)) continue;
          await this.store.recordSessionResult(
            record.id,
            await this.handle(session, action, actor, record.id, confirmed),
          );
        }
      }
      const [, cancelled] = await Promise.all([
        recordSessionPage(this.store, record.id, {
          read: page.read,
          cursor: page.cursor,
          checked: page.swept.length,
          found: found.map((session) => session.facts.sessionId),
        }),
        this.cancelled(record.id),
      ]);
      if (cancelled) return false;
    }
    return true;
  }

  private async handle(
    session: SweptSession,
    action: SessionSweepAction,
    actor: Staff,
    jobId: string,
    confirmed: ReadonlySet<string> | null = null,
  ): Promise<JobSessionResult> {
    const { facts, diagnosis } = session;
    const base = { sessionId: facts.sessionId, code: diagnosis.code, customerEmail: facts.customerEmail };
    const offered = action === 'fix' ? 'fix-session' : 'generate';
    if (action === 'report') return { ...base, outcome: 'reported', message: diagnosis.message };
    if (!diagnosis.fixes.includes(offered)) {
      return {
        ...base,
        outcome: 'skipped',
        reason: 'not-offered',
        message:
          action === 'fix'
            ? `Fix session writes a status only where none exists; this session is ${diagnosis.code}. ${diagnosis.message}`
            : `Generate video is not offered for this session: ${diagnosis.message}`,
      };
    }
    if (confirmed && !confirmed.has(facts.sessionId)) {
      return {
        ...base,
        outcome: 'skipped',
        reason: NOT_IN_PLAN,
        message: `Not in the confirmed plan: found after the plan was confirmed, so nothing was written. Use ${
          action === 'fix' ? 'Fix session' : 'Generate video'
        } on it alone, or preview a new sweep. ${diagnosis.message}`,
      };
    }
    await this.repairLimiter.acquire();
    const known = { stripe: facts.stripe };
    // the repairs' audit entries name this job, so the Audit log links back to it
    const services = { ...this.services, audit: this.services.audit.forJob(jobId) };
    try {
      if (action === 'fix') {
        const fixed = await fixSession(services, facts.sessionId, actor, known);
        return {
          ...base,
          outcome: 'fixed',
          message: 'Fix session: wrote the error status.',
          auditId: fixed.auditId,
        };
      }
      const generated = await generateVideo(services, facts.sessionId, actor, known);
      return generated.outcome === 'started'
        ? {
            ...base,
            outcome: 'generated',
            message: `Started generation ${generated.generationId}.`,
            generationId: generated.generationId,
            ...(generated.auditId && { auditId: generated.auditId }),
          }
        : {
            ...base,
            outcome: 'skipped',
            reason: 'already-started',
            message: `Generation ${generated.generationId} had already been started; nothing new was started.`,
            generationId: generated.generationId,
          };
    } catch (error) {
      if (!isRefusal(error)) return { ...base, outcome: 'failed', message: messageOf(error) };
      const reason = error.code.toLowerCase().replaceAll('_', '-');
      return { ...base, outcome: 'skipped', reason, message: error.message };
    }
  }

  private async cancelled(jobId: string): Promise<boolean> {
    return (await this.services.ownRedis.hget(this.store.key(jobId), 'state')) === 'cancelled';
  }
}
