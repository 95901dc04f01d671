import { isUnchanged } from '@cache-doctor/shared';
import type { PreviewWrite } from '../../api/types';
import { KeyWrites } from '../../diff/KeyWrites';

/** The dry run's planned writes in words, then each key's diff; unchanged ones marked. */
export function RefreshPlan({
  plan,
  upToDate,
  summary = true,
}: {
  plan: readonly PreviewWrite[];
  upToDate: boolean;
  /** false when the caller says what the writes do (undo) */
  summary?: boolean;
}) {
  const changes = plan.filter((entry) => !isUnchanged(entry)).length;
  return (
    <>
      {summary ? (
        <p>
          {upToDate
            ? 'Already up to date: every key holds what Clerk and Stripe say (only the time of a refresh would differ). Applying writes nothing.'
            : changes === 0
              ? 'Every key already holds what Clerk and Stripe say; applying rewrites them with a fresh 24 h expiry.'
              : `${changes} of ${plan.length} ${plan.length === 1 ? 'key' : 'keys'} will change, in one atomic write. You can undo it afterwards.`}
        </p>
      ) : null}
      <KeyWrites writes={plan} label="Planned writes" />
    </>
  );
}
