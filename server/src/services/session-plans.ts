import type { PlannedWrite, SessionLayout } from '@cache-doctor/shared';
import { planId } from '../domain/plan-id';
import { type GenerationRequest, planGenerationRequest } from '../domain/session-generation';
import type { SessionSnapshot } from '../domain/session-snapshot';
import { planGenerationRecord, type SessionWrite } from '../domain/session-writes';
import { AppError, isAppError } from '../lib/app-error';
import { requireConfirmedPlan } from './confirmed-plan';

/**
 * Confirmed plans of the session repairs (SPEC §3): Fix session's plan is its writes; Generate's is
 * its writes (the new file id as a placeholder) and the request it will send, so a changed prompt is
 * a changed plan too. The session page's previews and the dry runs give these ids.
 */
export const fixPlanId = (sessionId: string, writes: readonly PlannedWrite[]) =>
  planId({ action: 'fix-session', target: sessionId, writes });

export const generatePlanId = (
  sessionId: string,
  writes: readonly PlannedWrite[],
  request: GenerationRequest['config'],
) => planId({ action: 'generate', target: sessionId, writes, extra: request });

/** Refusals that mean "the session is no longer as it was shown" (a status arrived, a value broke). */
const REFUSALS = [
  'STATUS_EXISTS',
  'ACTION_NOT_AVAILABLE',
  'SESSION_MALFORMED',
  'SESSION_NOT_FOUND',
  'PAYMENT_NOT_COMPLETED',
] as const;

/**
 * Plans a confirmed repair: `plan()` throws its usual refusals; with a `planId` confirmed, a refusal
 * is what changed since the person looked, so it answers PLAN_CHANGED with nothing left to write
 * and the reason, and a different plan answers PLAN_CHANGED with that plan.
 */
export function confirmSessionPlan<Plan extends { writes: PlannedWrite[] }>(
  confirmed: string | undefined,
  action: 'fix-session' | 'generate',
  sessionId: string,
  plan: () => Plan,
  idOf: (plan: Plan) => string,
): Plan {
  let planned: Plan;
  try {
    planned = plan();
  } catch (error) {
    if (confirmed === undefined || !isAppError(error, ...REFUSALS)) throw error;
    throw new AppError('PLAN_CHANGED', `This changed since you looked: ${error.message}`, {
      plan: [],
      planId: planId({ action, target: sessionId, writes: [], extra: error.code }),
      refusal: { code: error.code, message: error.message },
    });
  }
  requireConfirmedPlan(confirmed, { plan: planned.writes, planId: idOf(planned) });
  return planned;
}

/** Placeholder for the id the generation API will hand out, in the generate preview. */
export const NEW_GENERATION_ID = '<new generation id>';

/**
 * What Generate would do now: the request it sends and the record it writes once the API answers
 * (with the new id as a placeholder), and the plan's id; null when the snapshot offers no plan.
 */
export function generatePreview(
  snapshot: SessionSnapshot,
  layout: SessionLayout,
  configName: string,
): { writes: SessionWrite[]; request: GenerationRequest['config']; planId: string } | null {
  const request = planGenerationRequest(snapshot, layout, configName);
  const record = planGenerationRecord(snapshot, layout, { fileId: NEW_GENERATION_ID, now: new Date() });
  if (request.kind !== 'request' || record.kind !== 'writes') return null;
  const config = request.request.config;
  return {
    writes: record.writes,
    request: config,
    planId: generatePlanId(snapshot.sessionId, record.writes, config),
  };
}
