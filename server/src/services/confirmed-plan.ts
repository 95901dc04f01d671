import { AppError } from '../lib/app-error';

/**
 * SPEC §3 "Confirmed plans": an apply that carries the `planId` of the preview it confirmed writes
 * only that plan. When planning again gives another id (upstream or Redis changed, or the id was
 * never ours), it answers 409 PLAN_CHANGED with the new plan and its id, for a second confirmation,
 * and writes nothing. Call it after planning and before committing.
 */
export function requireConfirmedPlan<Plan>(
  confirmed: string | undefined,
  current: { plan: Plan; planId: string },
) {
  if (confirmed === undefined || confirmed === current.planId) return;
  throw new AppError(
    'PLAN_CHANGED',
    'This changed since you looked; nothing was written. Check the new plan and confirm it again.',
    current,
  );
}
