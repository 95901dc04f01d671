import { CUSTOMER_PROBLEM_KINDS, type Problem } from '@cache-doctor/shared';
import type { BadgeTone } from '../../components/StatusBadge/StatusBadge';
import { plural } from '../../format';

/** The user page's one-line answer to "is this user's cache all right, and what would fix it?" */
export interface Verdict {
  tone: BadgeTone;
  label: string;
  /** why, in a sentence */
  detail: string;
}

/** A problem as the verdict weighs it: how bad, and what fixes it. */
type Kind = Pick<Problem, 'severity' | 'fix'>;

/**
 * Health and sync read together (issue #21): a user is not "Healthy" and "Out of sync" at once
 * without a word on what that means. `null` while either is still being read; a side that could
 * not be read makes the verdict unknown rather than a green "OK" on half the facts.
 */
export function userVerdict(
  health: { problems: readonly Kind[] } | undefined,
  sync: { problems: readonly Kind[] } | undefined,
  failed: boolean,
): Verdict | null {
  if (failed)
    return {
      tone: 'neutral',
      label: 'Not known',
      detail: 'The cache health or the sync status could not be read; see the panel below.',
    };
  if (!health || !sync) return null;
  const problems = [...health.problems, ...sync.problems];
  const errors = problems.filter((problem) => problem.severity === 'error');
  const byRefresh = problems.filter((problem) => problem.fix === 'refresh');
  const byRemove = problems.filter((problem) => problem.fix === 'remove');
  if (byRefresh.length > 0)
    return {
      tone: 'danger',
      label: 'Needs a refresh',
      detail: `"Refresh cache" rewrites it from Clerk and Stripe and fixes ${plural(byRefresh.length, 'problem')} of ${problems.length}.`,
    };
  if (byRemove.length > 0)
    return {
      tone: 'warning',
      label: 'Needs keys removed',
      detail: `"Remove keys" deletes what should not be there (${plural(byRemove.length, 'problem')}).`,
    };
  if (errors.length > 0)
    return {
      tone: 'danger',
      label: 'Needs a person',
      detail: `${plural(errors.length, 'problem')} that no repair here fixes; the messages below say where to look.`,
    };
  if (problems.length > 0)
    return {
      tone: 'warning',
      label: 'OK, with warnings',
      detail: `Nothing to repair; ${plural(problems.length, 'warning')} below.`,
    };
  return { tone: 'ok', label: 'OK', detail: 'The cache is well-formed and agrees with Clerk and Stripe.' };
}

/**
 * The same verdict from problem codes alone (a sweep's result rows), each code's severity and fix
 * taken from shared's table; a code this build does not know counts as an error when `broken` says so.
 */
export function codesVerdict(codes: readonly string[], broken: boolean): Verdict {
  const kinds = CUSTOMER_PROBLEM_KINDS as Record<string, Kind | undefined>;
  const problems = codes.map((code): Kind => kinds[code] ?? { severity: broken ? 'error' : 'warning' });
  return userVerdict({ problems }, { problems: [] }, false) as Verdict;
}
