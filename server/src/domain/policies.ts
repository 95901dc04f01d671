import {
  POLICY_DESCRIPTIONS,
  type PolicyActivityPoint,
  type PolicyMode,
  type PolicyName,
  type PolicyWouldDo,
} from '@cache-doctor/shared';

/**
 * Automatic repairs (SPEC §3): which targets a policy acts on, and when it stops itself. Pure
 * rules over what the scheduled sweeps found; the runner (services/policies) does the I/O.
 */

export interface PolicySettings {
  mode: PolicyMode;
  maxPerHour: number;
  minAgeMs: number;
}

/** What is kept per policy: its settings, and what it has learnt about itself. */
export interface PolicyState extends PolicySettings {
  failuresInRow: number;
  stopped: { at: string; reason: string } | null;
}

/** The shipped defaults (SPEC §3): every policy off, dry-run in demo mode. */
export const POLICY_DEFAULTS: Record<PolicyName, Omit<PolicySettings, 'mode'>> = {
  'generate-unprocessed': { maxPerHour: 20, minAgeMs: 10 * 60_000 },
  'retry-failed-generation': { maxPerHour: 10, minAgeMs: 0 },
  'refresh-drifted': { maxPerHour: 200, minAgeMs: 0 },
};

export const defaultPolicyState = (name: PolicyName, demo: boolean): PolicyState => ({
  mode: demo ? 'dry-run' : 'off',
  ...POLICY_DEFAULTS[name],
  failuresInRow: 0,
  stopped: null,
});

/** Failures in a row after which a policy turns itself off (SPEC §3). */
export const FAILURES_TO_STOP = 3;
/** A target a person changed this recently is left to that person. */
export const HUMAN_QUIET_MS = 3_600_000;
export const HOUR_MS = 3_600_000;

/** One target a sweep found for a policy: a session id or a user id, its problems, since when. */
export interface PolicyCandidate {
  target: string;
  problems: string[];
  /** ms: the checkout's creation (sessions), the first sweep that saw the problem (users) */
  since: number;
}

/** What a scheduled session sweep saw of one session, as far as the session policies care. */
export interface SweptSessionFacts {
  sessionId: string;
  code: string;
  /** the fixes the diagnosis offers: a terminal provider error offers no Generate */
  fixes: readonly string[];
  /** paid, with no video made or on its way */
  unprocessed: boolean;
  /** unix seconds (Stripe's) */
  created: number;
}

/** The session policies' candidates from one sweep: paid and unprocessed, with Generate offered. */
export function sessionCandidates(
  swept: readonly SweptSessionFacts[],
): Record<'generate-unprocessed' | 'retry-failed-generation', PolicyCandidate[]> {
  const pick = (code: string) =>
    swept
      .filter((session) => session.unprocessed && session.code === code && session.fixes.includes('generate'))
      .map((session) => ({ target: session.sessionId, problems: [code], since: session.created * 1000 }));
  return {
    'generate-unprocessed': pick('WEBHOOK_MISSING'),
    'retry-failed-generation': pick('GENERATION_FAILED'),
  };
}

/** refresh-drifted's candidates from the latest health sweep's "Needs attention" list. */
export function driftCandidates(
  users: ReadonlyArray<{ userId: string; problems: ReadonlyArray<{ code: string; firstSeen: string }> }>,
): PolicyCandidate[] {
  const codes = new Set(POLICY_DESCRIPTIONS['refresh-drifted'].codes);
  return users.flatMap((user) => {
    const drifted = user.problems.filter((problem) => codes.has(problem.code));
    if (drifted.length === 0) return [];
    const since = Math.min(...drifted.map((problem) => Date.parse(problem.firstSeen)));
    return [{ target: user.userId, problems: drifted.map((problem) => problem.code), since }];
  });
}

export interface Eligibility {
  now: number;
  minAgeMs: number;
  /** targets a person changed in the last hour (from the audit log) */
  changedByPeople: ReadonlySet<string>;
  /** `target problem` pairs this policy already acted on */
  claimed: ReadonlySet<string>;
}

export const claimOf = (target: string, problem: string) => `${target} ${problem}`;

export type Skip = { candidate: PolicyCandidate; reason: string };

/** The candidates a policy would act on now, oldest first, and why it leaves the others. */
export function eligibleTargets(
  candidates: readonly PolicyCandidate[],
  rules: Eligibility,
): { eligible: PolicyCandidate[]; skipped: Skip[] } {
  const eligible: PolicyCandidate[] = [];
  const skipped: Skip[] = [];
  const seen = new Set<string>();
  for (const candidate of [...candidates].sort((a, b) => a.since - b.since)) {
    if (seen.has(candidate.target)) continue;
    seen.add(candidate.target);
    const open = candidate.problems.filter(
      (problem) => !rules.claimed.has(claimOf(candidate.target, problem)),
    );
    if (rules.now - candidate.since < rules.minAgeMs) continue; // too new: not yet a problem to act on
    if (open.length === 0) continue; // acted on already, for every one of its problems
    if (rules.changedByPeople.has(candidate.target)) {
      skipped.push({ candidate, reason: 'A person changed it in the last hour; left to them.' });
      continue;
    }
    eligible.push({ ...candidate, problems: open });
  }
  return { eligible, skipped };
}

/** A dry run's list: every eligible target, marked where the hourly limit would stop the policy. */
export function wouldDo(eligible: readonly PolicyCandidate[], room: number): PolicyWouldDo[] {
  return eligible.map((candidate, index) => ({
    target: candidate.target,
    problem: candidate.problems.join(', '),
    since: new Date(candidate.since).toISOString(),
    withinLimit: index < room,
  }));
}

/** How many of a dry run's targets (and problems) its previous list did not have. */
export function newlyListed(previous: readonly PolicyWouldDo[], next: readonly PolicyWouldDo[]): number {
  const before = new Set(previous.map((item) => claimOf(item.target, item.problem)));
  return next.filter((item) => !before.has(claimOf(item.target, item.problem))).length;
}

/** The field of a `policy result` count (its hour's hash, and the all-time one). */
export const countField = (name: PolicyName, result: string) => `${name} ${result}`;
/** The counted result of a dry run's newly listed targets (not an action: never in the all-time counts). */
export const WOULD_DO_RESULT = 'would-do';

/** The starts (ms) of the `rangeMs / HOUR_MS` hours up to and including the one `now` is in. */
export function hoursUpTo(now: number, rangeMs: number): number[] {
  const last = Math.floor(now / HOUR_MS) * HOUR_MS;
  const count = Math.ceil(rangeMs / HOUR_MS);
  return Array.from({ length: count }, (_, index) => last - (count - 1 - index) * HOUR_MS);
}

/** One policy's hours, from each hour's `policy result` counts (an hour with none: all zero). */
export function activityPoints(
  name: PolicyName,
  hours: readonly number[],
  counts: ReadonlyArray<Readonly<Record<string, number>>>,
): PolicyActivityPoint[] {
  return hours.map((t, index) => {
    const count = (result: string) => counts[index]?.[countField(name, result)] ?? 0;
    return {
      t,
      applied: count('applied'),
      failed: count('failed'),
      skipped: count('skipped'),
      stopped: count('stopped'),
      wouldDo: count(WOULD_DO_RESULT),
    };
  });
}

/** The state after one action's result: failures counted in a row, stopped at FAILURES_TO_STOP. */
export function afterResult(
  state: PolicyState,
  result: 'applied' | 'failed' | 'skipped',
  now: Date,
): PolicyState {
  if (result === 'skipped') return state;
  if (result === 'applied') return { ...state, failuresInRow: 0 };
  const failuresInRow = state.failuresInRow + 1;
  if (failuresInRow < FAILURES_TO_STOP) return { ...state, failuresInRow };
  return stoppedState(
    state,
    now,
    `${FAILURES_TO_STOP} actions in a row failed; switched off.`,
    failuresInRow,
  );
}

/** Turned off by itself, saying why (an admin switching it on again clears it). */
export function stoppedState(state: PolicyState, now: Date, reason: string, failuresInRow = 0): PolicyState {
  return { ...state, mode: 'off', failuresInRow, stopped: { at: now.toISOString(), reason } };
}

/** An admin's change: a policy switched to dry-run or on starts afresh. */
export function updatedState(state: PolicyState, change: Partial<PolicySettings>): PolicyState {
  const next = { ...state, ...change };
  if (change.mode !== undefined && change.mode !== 'off') return { ...next, failuresInRow: 0, stopped: null };
  return next;
}
