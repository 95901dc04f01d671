import type { PlannedWrite } from '../../api/types';
import { WriteDiff } from '../../diff/WriteDiff';
import { formatRaw } from '../../format';

/** `unchanged` is optional in the contract; when absent, equal before and after mean the same. */
export function isUnchanged(entry: PlannedWrite): boolean {
  const flag = (entry as { unchanged?: unknown }).unchanged;
  return typeof flag === 'boolean' ? flag : formatRaw(entry.before) === formatRaw(entry.after);
}

/** The dry run's planned writes: each key, what it holds, what it will hold; unchanged ones marked. */
export function RefreshPlan({
  plan,
  upToDate,
  summary = true,
}: {
  plan: readonly PlannedWrite[];
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
      <ol className="plan" aria-label="Planned writes">
        {plan.map((entry) => {
          const unchanged = isUnchanged(entry);
          return (
            <li key={entry.key} className={unchanged ? 'plan-entry plan-unchanged' : 'plan-entry'}>
              <div className="plan-key">
                <code>{entry.key}</code>{' '}
                {unchanged ? (
                  <span className="badge badge-neutral">unchanged</span>
                ) : (
                  <span className="badge badge-info">changes</span>
                )}
              </div>
              {unchanged ? null : <WriteDiff write={entry} />}
            </li>
          );
        })}
      </ol>
    </>
  );
}
