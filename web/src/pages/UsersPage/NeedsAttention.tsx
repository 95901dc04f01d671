import { problemTitle } from '@cache-doctor/shared';
import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import type { AttentionPage, AttentionUser } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog/ConfirmDialog';
import { DataTable } from '../../components/DataTable/DataTable';
import { DateTime } from '../../components/DateTime/DateTime';
import { EmptyState } from '../../components/EmptyState/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { ProblemTitle } from '../../components/ProblemTitle/ProblemTitle';
import { UserLabel } from '../../components/UserLabel/UserLabel';
import { formatDateTime } from '../../format';
import { useAttention } from '../../hooks/useAttention';
import { isActive, useJob, useStartJob } from '../../hooks/useJobs';
import { useSearchParamsEditor } from '../../hooks/useSearchParamsEditor';
import { useStaff } from '../../hooks/useStaff';
import { paths } from '../../paths';

/** The problem chips: every problem of the latest sweep with its count; the active one pressed. */
function ProblemChips({
  counts,
  active,
  onPick,
}: {
  counts: AttentionPage['counts'];
  active: string;
  onPick: (code: string) => void;
}) {
  const codes = Object.entries(counts).sort(([a, m], [b, n]) => n - m || a.localeCompare(b));
  const total = codes.reduce((sum, [, n]) => sum + n, 0);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a toolbar-like group of toggle buttons, not a fieldset of inputs
    <div className="chips" role="group" aria-label="Filter by problem">
      <button type="button" className="chip" aria-pressed={active === ''} onClick={() => onPick('')}>
        All problems <span className="chip-count">{total}</span>
      </button>
      {codes.map(([code, count]) => (
        <button
          key={code}
          type="button"
          className="chip"
          aria-pressed={active === code}
          onClick={() => onPick(code)}
        >
          {problemTitle(code)} <code className="chip-code">{code}</code>{' '}
          <span className="chip-count">{count}</span>
        </button>
      ))}
    </div>
  );
}

/** ISO times compare as text: the earliest of the user's problems. */
const firstSeenOf = (user: AttentionUser) =>
  user.problems.map((problem) => problem.firstSeen).sort()[0] ?? '';

function Row({ user }: { user: AttentionUser }) {
  return (
    <tr>
      <td>
        <UserLabel userId={user.userId} email={user.email} name={user.name} />
      </td>
      <td>
        <ul className="plain-list">
          {user.problems.map((problem) => (
            <li key={problem.code}>
              <ProblemTitle code={problem.code} />
            </li>
          ))}
        </ul>
      </td>
      <td>
        <DateTime at={firstSeenOf(user)} />
      </td>
      <td>
        <DateTime at={user.problems[0]?.lastSeen} />
      </td>
    </tr>
  );
}

/** Ops' "Refresh all shown": previewed as the list of users, run as one bulk-refresh job. */
function RefreshShown({
  users,
  onStarted,
}: {
  users: readonly AttentionUser[];
  onStarted: (jobId: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const start = useStartJob();
  const confirm = () =>
    start.mutate(
      { type: 'bulk-refresh', userIds: users.map((user) => user.userId) },
      {
        onSuccess: ({ jobId }) => {
          setOpen(false);
          onStarted(jobId);
        },
      },
    );
  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)} disabled={users.length === 0}>
        Refresh all shown
      </button>
      <ConfirmDialog
        open={open}
        title={`Refresh the cache of ${users.length === 1 ? '1 user' : `${users.length} users`}?`}
        confirmLabel="Refresh all shown"
        onConfirm={confirm}
        onCancel={() => setOpen(false)}
        pending={start.isPending}
        error={start.error ?? undefined}
      >
        <p>
          Each user's cache is rewritten from Stripe and Clerk as one bulk-refresh job (audited, each batch
          undoable from the Audit log). These users, exactly:
        </p>
        <ul className="plain-list planned-users">
          {users.map((user) => (
            <li key={user.userId}>
              <UserLabel userId={user.userId} email={user.email} name={user.name} linked={false} />
            </li>
          ))}
        </ul>
      </ConfirmDialog>
    </>
  );
}

/** Before the first sweep: says so, and lets ops run one. */
function NoSweepYet({ onStarted }: { onStarted: (jobId: string) => void }) {
  const { canStart } = useStaff();
  const start = useStartJob();
  return (
    <EmptyState title="No sweep has run yet">
      <p>
        This list comes from the scheduled health sweep, which diagnoses every user; none has finished yet.
      </p>
      {canStart('sweep') ? (
        <button
          type="button"
          className="button button-primary"
          onClick={() => start.mutate({ type: 'sweep' }, { onSuccess: ({ jobId }) => onStarted(jobId) })}
          disabled={start.isPending}
        >
          Run a sweep now
        </button>
      ) : null}
      {start.error ? <ErrorMessage title="Could not start the sweep" error={start.error} /> : null}
    </EmptyState>
  );
}

/**
 * "Needs attention" (the Users page's first section): users with error-level problems in the
 * latest sweep, by problem (the filter lives in the URL as `?problem=`), oldest problem first.
 */
export function NeedsAttention() {
  const id = useId();
  const [params, edit] = useSearchParamsEditor();
  const problem = params.get('problem') ?? '';
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJob(jobId);
  const running = job.data ? isActive(job.data) : jobId !== null;
  const attention = useAttention(problem, running);
  const { canStart } = useStaff();

  // the job we started has ended: read the list once more, then stop following it
  useEffect(() => {
    if (jobId && job.data && !isActive(job.data)) {
      void attention.refetch();
      setJobId(null);
    }
  }, [jobId, job.data, attention]);

  const pages = attention.data?.pages ?? [];
  const first = pages[0];
  const users = pages.flatMap((page) => page.users);
  const pick = (code: string) =>
    edit((next) => {
      if (code) next.set('problem', code);
      else next.delete('problem');
    });

  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Needs attention</h2>
        {first?.sweptAt && canStart('bulk-refresh') ? (
          <RefreshShown users={users} onStarted={setJobId} />
        ) : null}
      </div>
      {running ? (
        <p className="notice notice-info" role="status">
          Job <Link to={`${paths.jobs}?job=${jobId}`}>{jobId}</Link> is running; this list follows it.
        </p>
      ) : null}
      {attention.isPending ? <Loading label="Reading the latest sweep…" /> : null}
      {attention.error ? (
        <ErrorMessage
          title="Could not read the list"
          error={attention.error}
          onRetry={() => void attention.refetch()}
        />
      ) : null}
      {first && first.sweptAt === null ? <NoSweepYet onStarted={setJobId} /> : null}
      {first?.sweptAt ? (
        <>
          <p className="muted panel-note">
            From the health sweep of {formatDateTime(first.sweptAt)}: {first.total}{' '}
            {first.total === 1 ? 'user' : 'users'} with errors{problem ? ` of ${problemTitle(problem)}` : ''}{' '}
            among {first.checked} checked.
            {first.refreshedSince > 0
              ? ` ${first.refreshedSince} refreshed since are left out until the next sweep checks them.`
              : ''}
          </p>
          <ProblemChips counts={first.counts} active={problem} onPick={pick} />
          {users.length === 0 ? (
            <p>
              No user has {problem ? `“${problemTitle(problem)}”` : 'an error-level problem'} in the latest
              sweep.
            </p>
          ) : (
            <DataTable
              columns={['User', 'Problems', 'First seen', 'Last seen']}
              caption="Users needing attention, oldest problem first"
              captionHidden
              rows={users}
              rowKey={(user) => user.userId}
              renderRow={(user) => <Row user={user} />}
              virtualRowHeight={56}
            />
          )}
          {attention.hasNextPage ? (
            <button
              type="button"
              className="button"
              onClick={() => void attention.fetchNextPage()}
              disabled={attention.isFetchingNextPage}
            >
              Show more
            </button>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
