import { skipWords } from '@cache-doctor/shared';
import type { JobPlan } from '../../api/types';
import { plural } from '../../format';

type PlanOf<T extends JobPlan['type']> = Extract<JobPlan, { type: T }>;
type PlannedUser = PlanOf<'bulk-refresh'>['users'][number];

/** Names at most this many users or sessions; the rest are counted. */
const NAMED = 5;

const named = (items: readonly string[]) =>
  items.length <= NAMED
    ? items.join(', ')
    : `${items.slice(0, NAMED).join(', ')} and ${(items.length - NAMED).toLocaleString()} more`;

/** What a bulk refresh will do to one user, in words. */
export function plannedUserWords(user: PlannedUser): string {
  if (user.skip) return `skipped (${skipWords(user.skip)})`;
  return user.upToDate ? 'already up to date' : 'refreshed';
}

function bulkRefreshChanges(previous: PlanOf<'bulk-refresh'>, now: PlanOf<'bulk-refresh'>): string {
  const before = new Map(previous.users.map((user) => [user.userId, user]));
  const changed = now.users
    .filter((user) => before.get(user.userId)?.planId !== user.planId)
    .map((user) => `${user.email ?? user.userId} (now ${plannedUserWords(user)})`);
  return changed.length === 0
    ? 'the users were written meanwhile.'
    : `${changed.length === 1 ? '1 user has' : `${changed.length.toLocaleString()} users have`} new values to write: ${named(changed)}.`;
}

function sessionSweepChanges(previous: PlanOf<'session-sweep'>, now: PlanOf<'session-sweep'>): string {
  const before = new Set(previous.sessions.map((session) => session.sessionId));
  const after = new Set(now.sessions.map((session) => session.sessionId));
  const added = [...after].filter((id) => !before.has(id));
  const gone = [...before].filter((id) => !after.has(id));
  return [
    `${plural(now.sessions.length, 'session')} to write to, not ${previous.sessions.length.toLocaleString()}`,
    added.length > 0 ? `new: ${named(added)}` : '',
    gone.length > 0 ? `no longer: ${named(gone)}` : '',
  ]
    .filter(Boolean)
    .join('; ')
    .concat('.');
}

/** The difference between the plan confirmed and the one the server now has, in words. */
export function jobPlanChanges(previous: JobPlan, now: JobPlan): string {
  if (previous.type === 'rebuild' && now.type === 'rebuild')
    return `Clerk now has ${plural(now.users, 'user')}, not ${previous.users.toLocaleString()}.`;
  if (previous.type === 'bulk-refresh' && now.type === 'bulk-refresh')
    return bulkRefreshChanges(previous, now);
  if (previous.type === 'session-sweep' && now.type === 'session-sweep')
    return sessionSweepChanges(previous, now);
  return 'the plan is different.';
}

/**
 * Shown in a bulk job's dialog when its start answered 409 PLAN_CHANGED: nothing was started, and
 * the new plan below asks for a second confirmation.
 */
export function JobPlanChanged({ previous, now }: { previous: JobPlan | null; now: JobPlan }) {
  if (!previous) return null;
  return (
    <div className="notice notice-warning" role="alert">
      <p>
        <strong>This changed since you looked:</strong> {jobPlanChanges(previous, now)} Nothing was started.
        Check the plan below and confirm again.
      </p>
    </div>
  );
}
