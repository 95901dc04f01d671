import type { SessionLayout, Staff } from '@cache-doctor/shared';
import { readSessionSnapshot } from '../adapters/session-store';
import type { SessionSnapshot } from '../domain/session-snapshot';
import type { SessionWrite } from '../domain/session-writes';
import { planFixSession, type WrittenStatus } from '../domain/session-writes';
import type { Services } from './container';
import { generationFixBlock, lockOf } from './session-generate';
import { inspectionOf, type SessionInspection } from './session-inspect';
import { confirmSessionPlan, fixPlanId } from './session-plans';
import {
  commitSessionPlan,
  diagnose,
  fixBlockedError,
  type KnownStripe,
  notOffered,
  readStripe,
  refusePlan,
  type StripeReading,
} from './session-repair';

export interface FixResult {
  sessionId: string;
  layout: SessionLayout;
  /** the status fields written */
  status: WrittenStatus;
  auditId: string;
  writes: SessionWrite[];
  /** the id of the plan written (SPEC §3 confirmed plans) */
  planId: string;
  /**
   * The session as it stands after the write: Redis read again, Stripe's answer from this very
   * request. The session page shows it instead of asking Stripe a third time.
   */
  session: SessionInspection;
}

/** Fix session's plan for a snapshot, or its refusal (thrown). */
function planFix(services: Services, sessionId: string, snapshot: SessionSnapshot, stripe: StripeReading) {
  const diagnosis = diagnose(services, snapshot, stripe.state);
  const plan = planFixSession(snapshot, diagnosis.layout, new Date());
  if (plan.kind !== 'writes') refusePlan(plan, sessionId);
  if (!diagnosis.fixes.includes('fix-session')) notOffered('Fix session', diagnosis);
  return { ...plan, layout: diagnosis.layout };
}

/**
 * `POST .../fix` with `dryRun`: what Fix session would write now, and the id to apply it with; 409
 * while the session's generation lock says a paid video may be starting or may exist.
 */
export async function previewFix(services: Services, sessionId: string) {
  const [snapshot, stripe, block] = await Promise.all([
    readSessionSnapshot(services.redis, services.keys, sessionId),
    readStripe(services, sessionId),
    generationFixBlock(services, sessionId),
  ]);
  const plan = planFix(services, sessionId, snapshot, stripe);
  if (block) throw fixBlockedError(sessionId, block);
  return {
    sessionId,
    layout: plan.layout,
    status: plan.written,
    writes: plan.writes,
    planId: fixPlanId(sessionId, plan.writes),
    applied: false as const,
    auditId: null,
  };
}

/**
 * Fix session (SPEC §3): the error status, only where no status exists, merged into what is
 * there. A status arriving between read and write makes the commit stale; the re-read then
 * refuses with STATUS_EXISTS — or, when the person confirmed a `planId`, PLAN_CHANGED.
 *
 * It writes holding the session's generation lock, so no Generate starts a paid video meanwhile
 * (one that waits for the lock re-reads and finds the status); while a start is in flight, was
 * just made or has an unknown outcome, it refuses (409 GENERATION_IN_PROGRESS /
 * GENERATION_OUTCOME_UNKNOWN): "generation not started" might be false.
 */
export async function fixSession(
  services: Services,
  sessionId: string,
  actor: Staff,
  known: KnownStripe = {},
  confirmed?: string,
): Promise<FixResult> {
  // Stripe first: the lock is held only for Redis reads and the commit, never for an upstream call
  const stripe = await readStripe(services, sessionId, known);
  const lock = await lockOf(services, sessionId).takeForFix();
  try {
    // read once the lock is ours: no Generate can have written since
    const first = await readSessionSnapshot(services.redis, services.keys, sessionId);
    const planned = (snapshot: SessionSnapshot) =>
      confirmSessionPlan(
        confirmed,
        'fix-session',
        sessionId,
        () => planFix(services, sessionId, snapshot, stripe),
        (plan) => fixPlanId(sessionId, plan.writes),
      );
    if ('blocked' in lock) {
      // the session's own refusals first (a status that exists says more), then the lock's
      planned(first);
      throw fixBlockedError(sessionId, lock.blocked);
    }
    return await writeFix(services, sessionId, actor, first, stripe, planned);
  } finally {
    if ('held' in lock) await lock.held.release().catch(() => {});
  }
}

async function writeFix(
  services: Services,
  sessionId: string,
  actor: Staff,
  first: SessionSnapshot,
  stripe: StripeReading,
  planned: (snapshot: SessionSnapshot) => ReturnType<typeof planFix>,
): Promise<FixResult> {
  let layout: SessionLayout = 'session-only';
  const committed = await commitSessionPlan(
    services,
    sessionId,
    first,
    (snapshot) => {
      const plan = planned(snapshot);
      layout = plan.layout;
      return plan;
    },
    { actor, action: 'fix-session', message: 'Fix session: wrote the error status' },
  );
  const after = await readSessionSnapshot(services.redis, services.keys, sessionId);
  return {
    sessionId,
    layout,
    status: committed.written,
    auditId: committed.auditId,
    writes: committed.writes,
    planId: fixPlanId(sessionId, committed.writes),
    session: inspectionOf(services, after, stripe),
  };
}
