import type { SessionLayout, Staff } from '@cache-doctor/shared';
import { readSessionSnapshot } from '../adapters/session-store';
import type { SessionSnapshot } from '../domain/session-snapshot';
import type { SessionWrite } from '../domain/session-writes';
import { planFixSession, type WrittenStatus } from '../domain/session-writes';
import type { Services } from './container';
import { inspectionOf, type SessionInspection } from './session-inspect';
import { confirmSessionPlan, fixPlanId } from './session-plans';
import {
  commitSessionPlan,
  diagnose,
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

/** `POST .../fix` with `dryRun`: what Fix session would write now, and the id to apply it with. */
export async function previewFix(services: Services, sessionId: string) {
  const [snapshot, stripe] = await Promise.all([
    readSessionSnapshot(services.redis, services.keys, sessionId),
    readStripe(services, sessionId),
  ]);
  const plan = planFix(services, sessionId, snapshot, stripe);
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
 */
export async function fixSession(
  services: Services,
  sessionId: string,
  actor: Staff,
  known: KnownStripe = {},
  confirmed?: string,
): Promise<FixResult> {
  const [first, stripe] = await Promise.all([
    readSessionSnapshot(services.redis, services.keys, sessionId),
    readStripe(services, sessionId, known),
  ]);
  let layout: SessionLayout = 'session-only';
  const committed = await commitSessionPlan(
    services,
    sessionId,
    first,
    (snapshot) => {
      const plan = confirmSessionPlan(
        confirmed,
        'fix-session',
        sessionId,
        () => planFix(services, sessionId, snapshot, stripe),
        (planned) => fixPlanId(sessionId, planned.writes),
      );
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
