import { type DiffableWrite, STAMP_FIELDS } from '@cache-doctor/shared';
import { ApiError } from '../../api/errors';

/**
 * A plan a person was shown, with the id the apply sends back (SPEC §3 confirmed plans). Any write
 * shape will do (a preview's, an undo's, a removal's): only its key, before- and after-value are read.
 */
export interface ConfirmablePlan<Write extends DiffableWrite = DiffableWrite> {
  plan: Write[];
  planId: string;
}

/** The new plan of a 409 PLAN_CHANGED (`error.details`), or null for any other error. */
export function changedPlanOf<Write extends DiffableWrite>(error: unknown): ConfirmablePlan<Write> | null {
  if (!(error instanceof ApiError) || error.code !== 'PLAN_CHANGED') return null;
  const details = error.details as Partial<ConfirmablePlan<Write>> | undefined;
  // a job's plan is an object (its users or sessions), a write's a list of keys
  if (!details || details.plan === undefined || typeof details.planId !== 'string') return null;
  return { plan: details.plan, planId: details.planId };
}

/** A stamp field and its value in raw JSON: a new time alone is not a change to point at. */
const STAMPED = new RegExp(`"(${STAMP_FIELDS.join('|')})":("[^"]*"|\\d+)`, 'g');
const comparable = (value: unknown) =>
  (typeof value === 'string' ? value : JSON.stringify(value ?? null)).replace(STAMPED, '"$1":0');

/** Keys whose before- or after-value differs between the plan shown and the new one, or that came or went. */
export function changedKeys(shown: readonly DiffableWrite[], now: readonly DiffableWrite[]): string[] {
  const byKey = new Map(shown.map((write) => [write.key, write]));
  const changed = now
    .filter((write) => {
      const old = byKey.get(write.key);
      return (
        !old ||
        comparable(old.before) !== comparable(write.before) ||
        comparable(old.after) !== comparable(write.after)
      );
    })
    .map((write) => write.key);
  const gone = shown.filter((write) => !now.some((next) => next.key === write.key)).map((write) => write.key);
  return [...changed, ...gone];
}

/**
 * Shown inside the confirm dialog when the apply answered 409 PLAN_CHANGED: what the person
 * confirmed is no longer what would be written, so the new plan is shown for a second confirmation.
 */
export function PlanChanged({
  shown,
  now,
}: {
  shown: readonly DiffableWrite[];
  now: readonly DiffableWrite[];
}) {
  const keys = changedKeys(shown, now);
  return (
    <div className="notice notice-warning" role="alert">
      <p>
        <strong>This changed since you looked:</strong>{' '}
        {keys.length === 0
          ? 'the keys were written meanwhile.'
          : `${keys.join(', ')} ${keys.length === 1 ? 'differs' : 'differ'} from the plan you saw.`}{' '}
        Nothing was written. Check the plan below and confirm again.
      </p>
    </div>
  );
}
