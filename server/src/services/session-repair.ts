import type { Staff } from '@cache-doctor/shared';
import type { FixBlock } from '../adapters/generation-lock';
import { readSessionSnapshot } from '../adapters/session-store';
import type { GenerationLookup } from '../domain/generation-file';
import {
  diagnoseSession,
  type SessionDiagnosis,
  type StripeCheckoutState,
} from '../domain/session-diagnosis';
import type { SessionSnapshot } from '../domain/session-snapshot';
import type { SessionPlan, SessionWrite, WrittenStatus } from '../domain/session-writes';
import { AppError } from '../lib/app-error';
import type { Services } from './container';

/**
 * What the checkout-session use cases (inspect, fix, generate) share: how Stripe is asked, how a
 * session is diagnosed, the refusals every repair makes, and how a session plan is committed.
 */

export interface StripeReading {
  state: StripeCheckoutState | null;
  /** Stripe answered that it has no such session */
  missing: boolean;
  /** Stripe could not be asked */
  error: string | null;
}

/**
 * What a repair may be told instead of asking Stripe itself: the sweep has just read the session
 * from Stripe's list, and a call per session is what the sweep exists to avoid.
 */
export interface KnownStripe {
  stripe?: StripeCheckoutState;
}

/** Never throws: a Stripe outage must not hide what Redis holds. */
export async function readStripe(
  services: Services,
  sessionId: string,
  known: KnownStripe = {},
): Promise<StripeReading> {
  if (known.stripe) return { state: known.stripe, missing: false, error: null };
  try {
    const session = await services.stripe.getCheckoutSession(sessionId);
    if (!session) return { state: null, missing: true, error: null };
    return {
      state: { status: session.status ?? null, paymentStatus: session.payment_status ?? null },
      missing: false,
      error: null,
    };
  } catch (error) {
    return { state: null, missing: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** `generation`: what the generation API said about the session's started file, when it was asked. */
export function diagnose(
  services: Services,
  snapshot: SessionSnapshot,
  stripe: StripeCheckoutState | null,
  generation?: GenerationLookup,
) {
  return diagnoseSession({
    snapshot,
    stripe,
    now: new Date(),
    stuckAfterMs: services.config.stuckAfterMs,
    layoutSetting: services.config.sessionLayout,
    generation,
    generationStuckAfterMs: services.config.generation.stuckAfterMs,
  });
}

/** The refusals every repair shares, from the plan's kind. */
export function refusePlan(plan: Exclude<SessionPlan, { kind: 'writes' }>, sessionId: string): never {
  switch (plan.kind) {
    case 'malformed':
      throw new AppError(
        'SESSION_MALFORMED',
        `A stored value is not what the app writes (${plan.issues.map((issue) => `${issue.key} ${issue.reason}`).join('; ')}); nothing was written. Correct it by hand first.`,
        { issues: plan.issues },
      );
    case 'status-exists':
      throw new AppError(
        'STATUS_EXISTS',
        `Session ${sessionId} already has the status "${plan.status}"; Fix session never overwrites a status. Nothing was written.`,
        { status: plan.status },
      );
    case 'not-found':
      throw new AppError(
        'SESSION_NOT_FOUND',
        `Redis holds nothing for session ${sessionId}; there is nothing to fix.`,
      );
  }
}

export function notOffered(action: 'Fix session' | 'Generate video', diagnosis: SessionDiagnosis): never {
  if (diagnosis.code === 'PAYMENT_NOT_COMPLETED')
    throw new AppError('PAYMENT_NOT_COMPLETED', `${action} is not offered: ${diagnosis.message}`);
  throw new AppError(
    'ACTION_NOT_AVAILABLE',
    `${action} is not offered for a session diagnosed ${diagnosis.code}: ${diagnosis.message}`,
    { diagnosis: diagnosis.code },
  );
}

/**
 * Why "Mark as failed" may not write now (SPEC §3): it says generation never started, which is
 * not known while a start is in flight, just made, or of unknown outcome — a paid video may exist.
 */
export function fixBlockedError(sessionId: string, block: FixBlock): AppError {
  switch (block.kind) {
    case 'running':
      return new AppError(
        'GENERATION_IN_PROGRESS',
        `A "Generate video" for session ${sessionId} is waiting on the generation API right now, so a paid video may be starting; "Mark as failed" would tell the customer that generation never started. Nothing was written. Look at the session again in a minute: it will show the generation, or why it did not start.`,
        { lock: 'running' },
      );
    case 'done':
      return new AppError(
        'GENERATION_IN_PROGRESS',
        `Generation ${block.outcome.generationId} was just started for session ${sessionId}; "Mark as failed" would say it was not. Nothing was written. Look at the session again: it shows the generation.`,
        { lock: 'done', generationId: block.outcome.generationId },
      );
    case 'unknown': {
      const { at, actor, actorName } = block.start;
      return new AppError(
        'GENERATION_OUTCOME_UNKNOWN',
        `A generation start for session ${sessionId} (${at}, by ${actorName ?? actor}) has an unknown outcome: the generation API may have started a paid video, so "Mark as failed" (generation not started) could be false. Nothing was written. Ask the generation provider whether it started; if it did not, press "Generate video" and confirm a new attempt.`,
        { lock: 'unknown', unknownStart: block.start },
      );
    }
  }
}

/** How often a plan is re-read and re-planned when someone wrote between read and commit. */
const MAX_COMMIT_ATTEMPTS = 5;

/**
 * Commits `planOf(snapshot)` for the session through the writer, re-reading and re-planning when
 * a key changed in between; `planOf` throws for refusals (e.g. a status arrived meanwhile).
 */
export async function commitSessionPlan(
  services: Services,
  sessionId: string,
  first: SessionSnapshot,
  planOf: (snapshot: SessionSnapshot) => { writes: SessionWrite[]; written: WrittenStatus },
  audit: { actor: Staff; action: string; result?: 'applied' | 'failed'; message: string },
): Promise<{ auditId: string; written: WrittenStatus; writes: SessionWrite[] }> {
  const committed = await services.writer.commitRetrying(
    async (attempt) => {
      const snapshot =
        attempt === 1 ? first : await readSessionSnapshot(services.redis, services.keys, sessionId);
      const { writes, written } = planOf(snapshot);
      return {
        writes,
        written,
        audit: services.audit.draft(audit.actor, {
          action: audit.action,
          target: sessionId,
          message: audit.message,
          ...(audit.result && { result: audit.result }),
        }),
      };
    },
    {
      attempts: MAX_COMMIT_ATTEMPTS,
      conflict: `Session ${sessionId} kept changing while we tried to write it (${MAX_COMMIT_ATTEMPTS} attempts); nothing was written. Look at it again.`,
    },
  );
  // a session plan always has its audit entry and no guard, so it is never declined
  const auditId = committed.kind === 'committed' ? committed.entry?.id : undefined;
  if (auditId === undefined) throw new Error(`The write of session ${sessionId} was declined.`);
  return { auditId, written: committed.plan.written, writes: committed.plan.writes };
}
