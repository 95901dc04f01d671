import { SESSION_SWEEP_PERMISSION, type SessionSweepAction } from '@cache-doctor/shared';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { staleAfter } from '../../api/queryKeys';
import type { UnprocessedSession } from '../../api/types';
import { Codes } from '../../components/Codes/Codes';
import { ConfirmDialog } from '../../components/ConfirmDialog/ConfirmDialog';
import { DataTable } from '../../components/DataTable/DataTable';
import { EmptyState } from '../../components/EmptyState/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { JobPlanChanged } from '../../components/JobPlanChanged/JobPlanChanged';
import { Loading } from '../../components/Loading/Loading';
import { ProblemTitle } from '../../components/ProblemTitle/ProblemTitle';
import { formatDateTime, formatDuration, formatMoney } from '../../format';
import { useConfirmedJob } from '../../hooks/useConfirmedJob';
import { isActive, useCancelJob, useJob, useStaleAfterJobEnds } from '../../hooks/useJobs';
import { useSearchParamsEditor } from '../../hooks/useSearchParamsEditor';
import { useStaff } from '../../hooks/useStaff';
import { useUnprocessedSessions } from '../../hooks/useUnprocessedSessions';
import { paths } from '../../paths';
import { JobProgress, JobStateBadge } from '../JobsPage/JobProgress';
import { OverlapWarning } from '../JobsPage/OverlapWarning';
import { SessionResults } from '../JobsPage/SessionResults';
import { Section } from './Section';
import { defaultSince, fromLocalInput, toLocalInput } from './since';

/** Beyond this many rows the table says how many it leaves out; the count and bulk actions cover all. */
const MAX_ROWS = 500;

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

const BULK = {
  fix: {
    button: 'Fix all',
    running: 'Fixing sessions',
    applies: (session: UnprocessedSession) => session.diagnosis.fixes.includes('fix-session'),
    explain: (applies: number) =>
      `Mark as failed writes the error status to the ${plural(applies, 'session', 'sessions')} with no webhook status, so each user sees what happened instead of "File Not Found" — they still get no video, and the sessions stay listed as "marked failed, no video" until one is generated. It merges into the existing records and never overwrites a status that arrived meanwhile; each write is audited and can be undone. The others already have a status and are left alone.`,
  },
  generate: {
    button: 'Generate all',
    running: 'Generating videos',
    applies: (session: UnprocessedSession) => session.diagnosis.fixes.includes('generate'),
    explain: (applies: number) =>
      `Starts the video each of the ${plural(applies, 'session', 'sessions')} paid for (Stripe says paid, there is a prompt and no generation running), once per session: running it again never starts a second video. Each start is audited. The others are skipped.`,
  },
} as const satisfies Record<Exclude<SessionSweepAction, 'report'>, unknown>;
type BulkAction = keyof typeof BULK;

/** The "since" of the list, kept in the URL so a link shows the same window. */
function useSince() {
  const [searchParams, editSearchParams] = useSearchParamsEditor();
  // pinned at first render: a default that moved with the clock would re-read Stripe on every render
  const [fallback] = useState(() => defaultSince(Date.now()));
  const since = searchParams.get('since') ?? fallback;
  const setSince = (iso: string | null) =>
    editSearchParams(
      (next) => {
        if (iso === null) next.delete('since');
        else next.set('since', iso);
      },
      { replace: true },
    );
  return { since, setSince, isDefault: !searchParams.has('since') };
}

function SinceFilter({ since, onChange }: { since: string; onChange: (iso: string | null) => void }) {
  const id = useId();
  return (
    <div className="filters">
      <div className="field">
        <label htmlFor={id}>Paid since</label>
        <input
          id={id}
          type="datetime-local"
          value={toLocalInput(since)}
          onChange={(event) => {
            const iso = fromLocalInput(event.target.value);
            if (iso) onChange(iso);
          }}
        />
      </div>
      <div className="filters-actions">
        <button type="button" className="button button-quiet" onClick={() => onChange(null)}>
          Last 7 days
        </button>
      </div>
    </div>
  );
}

function SessionRows({ sessions, nowMs }: { sessions: UnprocessedSession[]; nowMs: number }) {
  const shown = sessions.slice(0, MAX_ROWS);
  return (
    <DataTable
      caption="Unprocessed paid sessions, newest first"
      captionHidden
      columns={['Session', 'Amount', 'Customer', 'Age', 'Diagnosis', 'Failed webhook events']}
      rows={shown}
      rowKey={(session) => session.sessionId}
      renderRow={(session) => {
        const createdIso = new Date(session.created * 1000).toISOString();
        const ageSeconds = Math.max(0, Math.floor(nowMs / 1000) - session.created);
        return (
          <tr>
            <th scope="row" className="cell-value">
              <Link to={paths.session(session.sessionId)}>{session.sessionId}</Link>
            </th>
            <td>{formatMoney(session.amountTotal, session.currency)}</td>
            <td>{session.customerEmail ?? <span className="muted">none</span>}</td>
            <td>
              <time dateTime={createdIso} title={formatDateTime(createdIso)}>
                {formatDuration(ageSeconds)} ago
              </time>
            </td>
            <td>
              <strong>
                {session.markedFailed ? (
                  'Marked failed, no video'
                ) : (
                  <ProblemTitle code={session.diagnosis.code} />
                )}
              </strong>{' '}
              <span className="muted">{session.diagnosis.message}</span>
            </td>
            <td>
              {session.eventIds.length === 0 ? (
                <span className="muted">none</span>
              ) : (
                <Codes codes={session.eventIds} />
              )}
            </td>
          </tr>
        );
      }}
      footer={
        sessions.length > shown.length ? (
          <p className="muted">
            Showing the newest {shown.length.toLocaleString()}; "Fix all" and "Generate all" cover all{' '}
            {sessions.length.toLocaleString()}.
          </p>
        ) : null
      }
    />
  );
}

function FailedEvents({ events }: { events: ReturnType<typeof useUnprocessedSessions>['failedEvents'] }) {
  if (events.length === 0) return null;
  return (
    <details>
      <summary>
        {plural(events.length, 'Stripe event', 'Stripe events')} whose webhook delivery failed
      </summary>
      <DataTable
        caption="Failed webhook deliveries"
        captionHidden
        columns={['Event', 'Type', 'When', 'Session']}
        rows={events}
        rowKey={(event) => event.id}
        renderRow={(event) => {
          const at = new Date(event.created * 1000).toISOString();
          return (
            <tr>
              <th scope="row">
                <code>{event.id}</code>
              </th>
              <td>{event.type}</td>
              <td>
                <time dateTime={at}>{formatDateTime(at)}</time>
              </td>
              <td className="cell-value">
                {event.sessionId ? (
                  <Link to={paths.session(event.sessionId)}>{event.sessionId}</Link>
                ) : (
                  <span className="muted">not about a checkout session</span>
                )}
              </td>
            </tr>
          );
        }}
      />
    </details>
  );
}

/** The bulk job this page started: progress, cancel and per-session results. */
function SweepJob({ job, action }: { job: ReturnType<typeof useJob>; action: BulkAction }) {
  const cancel = useCancelJob();
  const headingId = useId();

  if (job.isPending) return <Loading label="Starting the job…" />;
  if (job.isError)
    return <ErrorMessage title="Could not follow the job" error={job.error} onRetry={() => job.refetch()} />;
  const { progress } = job.data;
  const results = job.data.sessionResults ?? [];
  return (
    <div className="stack">
      <div className="job-heading">
        <h3 id={headingId}>{BULK[action].running}</h3>
        <JobStateBadge state={job.data.state} />
      </div>
      <JobProgress job={job.data} labelledBy={headingId} unit="session" />
      <p>
        {progress.done.toLocaleString()} of {plural(progress.total, 'session', 'sessions')} done
        {progress.failed > 0 ? `, ${progress.failed.toLocaleString()} failed` : ''}
        {' · '}
        <Link to={paths.jobs}>All jobs</Link>
      </p>
      {job.data.error ? <p className="notice notice-danger">{job.data.error}</p> : null}
      {isActive(job.data) ? (
        <div className="job-actions">
          <button
            type="button"
            className="button"
            aria-describedby={headingId}
            onClick={() => cancel.mutate(job.data.id)}
            disabled={cancel.isPending}
          >
            Cancel
          </button>
        </div>
      ) : null}
      {cancel.isError ? <ErrorMessage title="Could not cancel" error={cancel.error} /> : null}
      {results.length > 0 ? (
        <SessionResults results={results} caption="Per-session results" jobId={job.data.id} />
      ) : null}
    </div>
  );
}

/**
 * SPEC §6.3 / issue #9: paid checkout sessions (Stripe's list) that Redis shows no processing for,
 * beside the webhook deliveries Stripe says failed; ops fix them or start their videos in bulk.
 */
export function UnprocessedSessions() {
  const { can } = useStaff();
  const { since, setSince } = useSince();
  const list = useUnprocessedSessions(since);
  const [dialog, setDialog] = useState<BulkAction | null>(null);
  const [started, setStarted] = useState<{ id: string; action: BulkAction } | null>(null);
  // SPEC §3: the job starts with the plan its dialog showed (the sessions it writes to), or not at all
  const bulk = useConfirmedJob((jobId) => {
    if (dialog) setStarted({ id: jobId, action: dialog });
    setDialog(null);
  });
  const plan = bulk.shown?.plan.type === 'session-sweep' ? bulk.shown.plan : null;
  const job = useJob(started?.id ?? null);
  // diagnoses changed: this list, the recent prompts and the stats all read them
  useStaleAfterJobEnds(job.data, staleAfter.sessionJob);
  const { sessions, complete } = list;
  const count = sessions.length;
  const jobFinished = job.data !== undefined && !isActive(job.data);
  // a job that cannot be followed (its error is shown) must not lock the buttons for good
  const busy = bulk.starting.isPending || (started !== null && !jobFinished && !job.isError);

  const close = () => {
    setDialog(null);
    bulk.cancel();
  };
  const preview = (action: BulkAction) => {
    setDialog(action);
    bulk.preview({ type: 'session-sweep', since, action });
  };

  const bulkButtons = (['fix', 'generate'] as const)
    .filter((action) => can(SESSION_SWEEP_PERMISSION[action]))
    .map((action) => (
      <button
        key={action}
        type="button"
        className={action === 'fix' ? 'button button-primary' : 'button'}
        disabled={!complete || sessions.filter(BULK[action].applies).length === 0 || busy}
        onClick={bulk.planning.isPending ? undefined : () => preview(action)}
        aria-busy={bulk.planning.isPending && dialog === action}
      >
        {BULK[action].button}
      </button>
    ));

  return (
    <Section title="Unprocessed paid sessions" actions={bulkButtons.length > 0 ? bulkButtons : null}>
      <SinceFilter since={since} onChange={setSince} />
      {list.query.isPending ? <Loading label="Comparing Stripe's paid checkouts with Redis…" /> : null}
      {list.query.isError ? (
        <ErrorMessage
          title="Could not list the unprocessed sessions"
          error={list.query.error}
          onRetry={() => void list.query.refetch()}
        />
      ) : null}
      {list.query.isSuccess ? (
        <p role="status">
          <strong>{plural(count, 'unprocessed paid session', 'unprocessed paid sessions')}</strong> since{' '}
          {formatDateTime(since)} · {plural(list.checked, 'completed checkout', 'completed checkouts')}{' '}
          checked{complete ? '' : ', still reading Stripe…'}
        </p>
      ) : null}
      {complete && count === 0 ? (
        <EmptyState title="No unprocessed paid sessions">
          <p>
            The app processed (or staff repaired) every checkout Stripe completed and paid in this window.
          </p>
        </EmptyState>
      ) : null}
      {count > 0 ? <SessionRows sessions={sessions} nowMs={Date.now()} /> : null}
      <FailedEvents events={list.failedEvents} />
      {bulk.planning.isError ? (
        <ErrorMessage title="Could not list what the job would write to" error={bulk.planning.error} />
      ) : null}
      {started ? <SweepJob job={job} action={started.action} /> : null}
      {(['fix', 'generate'] as const).map((action) => (
        <ConfirmDialog
          key={action}
          open={dialog === action && plan !== null}
          // the number it will actually write, not how many are listed
          title={`${BULK[action].button}: ${plural(plan?.sessions.length ?? 0, 'session', 'sessions')} of ${(plan?.listed ?? 0).toLocaleString()} listed?`}
          confirmLabel={BULK[action].button}
          typeToConfirm={String(plan?.sessions.length ?? 0)}
          pending={bulk.starting.isPending}
          error={dialog === action ? bulk.starting.error : null}
          onConfirm={bulk.confirm}
          onCancel={close}
        >
          <OverlapWarning writes />
          {bulk.shown ? <JobPlanChanged previous={bulk.shown.previous} now={bulk.shown.plan} /> : null}
          <p>{BULK[action].explain(plan?.sessions.length ?? 0)}</p>
          <p className="muted">
            The job reads Stripe and Redis again for every paid session since {formatDateTime(since)}, so a
            session processed meanwhile is left alone.
          </p>
        </ConfirmDialog>
      ))}
    </Section>
  );
}
