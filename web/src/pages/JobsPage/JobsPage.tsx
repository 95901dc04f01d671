import { type CreateJob, idKind, JOB_PERMISSION, type JobType } from '@cache-doctor/shared';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { ConfirmDialog } from '../../components/ConfirmDialog/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { Page } from '../../components/Page/Page';
import { VirtualRowGroups } from '../../components/VirtualRowGroups/VirtualRowGroups';
import { formatDateTime } from '../../format';
import { useSearchParamsEditor } from '../../hooks/useSearchParamsEditor';
import './JobsPage.css';
import type { Job } from '../../api/types';
import {
  downloadResultsCsv,
  useCancelJob,
  useJob,
  useJobResults,
  useJobs,
  useStartJob,
} from '../../hooks/useJobs';
import { useStaff } from '../../hooks/useStaff';
import { paths } from '../../paths';
import { JobProgress, JobStateBadge } from './JobProgress';
import { SessionResults } from './SessionResults';

const JOB_LABELS: Record<JobType, string> = {
  sweep: 'Health sweep',
  'bulk-refresh': 'Bulk refresh',
  rebuild: 'Rebuild cache',
  'session-sweep': 'Session sweep',
};
const OUTCOME_LABELS: Record<string, string> = {
  diagnosed: 'Diagnosed',
  refreshed: 'Refreshed',
  skipped: 'Skipped',
  failed: 'Failed',
};

/**
 * The view lives in the URL (`?job=<id>&problem=<CODE>`), so a link reopens the same job with the
 * same filter and Back undoes the last change. No `job`: the newest job is open; `job=` (empty):
 * none is.
 */
function useJobsView() {
  const [params, update] = useSearchParamsEditor();
  return {
    /** null: not chosen (the newest job is open). */
    jobId: params.get('job'),
    problem: params.get('problem') ?? '',
    /** Opens one job (or none, with null); its problem filter starts empty. */
    setJob: (jobId: string | null) =>
      update((next) => {
        next.set('job', jobId ?? '');
        next.delete('problem');
      }),
    /** Filters one job's results (naming the job, so the link stays exact when a newer one starts). */
    setProblem: (jobId: string, problem: string) =>
      update((next) => {
        next.set('job', jobId);
        if (problem) next.set('problem', problem);
        else next.delete('problem');
      }),
  };
}

/** `user_...` ids from free text: one per line, or separated by commas or spaces. */
function parseUserIds(text: string): { valid: string[]; invalid: string[] } {
  const words = text.split(/[\s,]+/).filter((word) => word !== '');
  const valid = [...new Set(words.filter((word) => idKind(word) === 'user'))];
  return { valid, invalid: words.filter((word) => idKind(word) !== 'user') };
}

function StartButtons() {
  const { can } = useStaff();
  const start = useStartJob();
  const [dialog, setDialog] = useState<'rebuild' | 'bulk-refresh' | null>(null);
  const [userIdsText, setUserIdsText] = useState('');
  const textId = useId();
  const parsed = parseUserIds(userIdsText);

  const run = (request: CreateJob) =>
    start.mutate(request, {
      onSuccess: () => {
        setDialog(null);
        setUserIdsText('');
      },
    });
  const close = () => {
    setDialog(null);
    start.reset();
  };
  if (!can('sweep') && !can('bulk-refresh') && !can('rebuild')) return null;

  return (
    <>
      {can('sweep') ? (
        <button
          type="button"
          className="button button-primary"
          onClick={() => run({ type: 'sweep' })}
          disabled={start.isPending}
        >
          Health sweep
        </button>
      ) : null}
      {can('bulk-refresh') ? (
        <button type="button" className="button" onClick={() => setDialog('bulk-refresh')}>
          Bulk refresh
        </button>
      ) : null}
      {can('rebuild') ? (
        <button type="button" className="button button-danger" onClick={() => setDialog('rebuild')}>
          Rebuild cache
        </button>
      ) : null}
      {start.isError && dialog === null ? (
        <ErrorMessage title="Could not start the job" error={start.error} />
      ) : null}
      <ConfirmDialog
        open={dialog === 'rebuild'}
        title="Rebuild the whole cache?"
        confirmLabel="Start rebuild"
        danger
        pending={start.isPending}
        error={dialog === 'rebuild' ? start.error : null}
        onConfirm={() => run({ type: 'rebuild' })}
        onCancel={close}
      >
        <p>
          Every Clerk user's customer cache is rewritten from Stripe, a batch at a time, each batch in one
          atomic write with its before-images in the audit log (undoable batch by batch). Users whose problems
          a refresh cannot fix are listed, not changed.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'bulk-refresh'}
        title="Refresh a list of users"
        confirmLabel="Start bulk refresh"
        pending={start.isPending}
        error={dialog === 'bulk-refresh' ? start.error : null}
        onConfirm={() => {
          if (parsed.valid.length > 0) run({ type: 'bulk-refresh', userIds: parsed.valid });
        }}
        onCancel={close}
      >
        <div className="field">
          <label htmlFor={textId}>User ids (user_…), one per line</label>
          <textarea
            id={textId}
            rows={6}
            value={userIdsText}
            onChange={(event) => setUserIdsText(event.target.value)}
            spellCheck={false}
          />
        </div>
        <p className="muted">
          {parsed.valid.length} {parsed.valid.length === 1 ? 'user' : 'users'}
          {parsed.invalid.length > 0
            ? `; not user ids, ignored: ${parsed.invalid.slice(0, 5).join(', ')}`
            : ''}
        </p>
      </ConfirmDialog>
    </>
  );
}

function Results({
  job,
  problem,
  onProblem,
}: {
  job: Job;
  problem: string;
  onProblem: (code: string) => void;
}) {
  const active = job.state === 'queued' || job.state === 'running';
  const results = useJobResults(job.id, problem, `${job.state}:${job.progress.done}`);
  const filterId = useId();
  const byCode: Record<string, number> = { ...job.summary.byCode };
  // a linked filter is kept even before (or without) a result with that code
  if (problem && !(problem in byCode)) byCode[problem] = 0;
  const codes = Object.entries(byCode).sort(([a], [b]) => a.localeCompare(b));
  const [downloadError, setDownloadError] = useState<unknown>(null);

  return (
    <div className="job-results">
      <div className="filters">
        <div className="field">
          <label htmlFor={filterId}>Problem</label>
          <select id={filterId} value={problem} onChange={(event) => onProblem(event.target.value)}>
            <option value="">Any problem</option>
            {codes.map(([code, count]) => (
              <option key={code} value={code}>
                {code} ({count})
              </option>
            ))}
          </select>
        </div>
        <div className="filters-actions">
          <button
            type="button"
            className="button button-quiet"
            onClick={() => downloadResultsCsv(job.id).catch(setDownloadError)}
          >
            Download CSV
          </button>
        </div>
      </div>
      {downloadError ? <ErrorMessage title="Could not download the results" error={downloadError} /> : null}
      {results.isLoading ? <Loading label="Loading results…" /> : null}
      {results.isError ? <ErrorMessage title="Could not load the results" error={results.error} /> : null}
      {results.data && job.type === 'session-sweep' ? (
        (results.data.sessionResults ?? []).length === 0 ? (
          <p className="muted">{active ? 'No unprocessed session so far.' : 'No unprocessed session.'}</p>
        ) : (
          <SessionResults results={results.data.sessionResults ?? []} caption="Unprocessed paid sessions" />
        )
      ) : null}
      {results.data && job.type !== 'session-sweep' ? (
        (results.data.results ?? []).length === 0 ? (
          <p className="muted">{active ? 'No problems found so far.' : 'No user has a problem.'}</p>
        ) : (
          <div className="table-scroll">
            <table className="table">
              <caption>
                Users with problems{problem ? ` (${problem})` : ''}
                {(results.data.results ?? []).length >= 500 ? ', first 500 — download the CSV for all' : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Problems</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <VirtualRowGroups
                items={results.data.results ?? []}
                getKey={(result) => result.userId}
                columns={3}
                estimateHeight={42}
                renderRows={(result) => (
                  <tr>
                    <th scope="row">
                      <Link to={paths.user(result.userId)}>{result.userId}</Link>
                    </th>
                    <td>
                      {result.problems.map((code) => (
                        <code key={code} className="job-code">
                          {code}
                        </code>
                      ))}
                    </td>
                    <td>
                      {OUTCOME_LABELS[result.outcome] ?? result.outcome}
                      {result.message ? <span className="muted"> — {result.message}</span> : null}
                    </td>
                  </tr>
                )}
              />
            </table>
          </div>
        )
      ) : null}
    </div>
  );
}

interface JobCardProps {
  job: Job;
  open: boolean;
  onToggle: () => void;
  problem: string;
  onProblem: (code: string) => void;
}

function JobCard({ job, open, onToggle, problem, onProblem }: JobCardProps) {
  const { can } = useStaff();
  const cancel = useCancelJob();
  const headingId = useId();
  const resultsId = useId();
  const label = JOB_LABELS[job.type];
  const unit = job.type === 'session-sweep' ? 'sessions' : 'users';
  const { done, total, failed } = job.progress;
  const active = job.state === 'queued' || job.state === 'running';

  return (
    <article className="card job" aria-labelledby={headingId}>
      <div className="job-heading">
        <h2 id={headingId}>
          {label} <span className="muted">· {formatDateTime(job.createdAt)}</span>
        </h2>
        <JobStateBadge state={job.state} />
      </div>
      <p className="muted">
        Started by {job.actor}
        {job.phase === 'collecting'
          ? job.type === 'session-sweep'
            ? ' · reading Stripe'
            : ' · reading Clerk and Stripe'
          : ''}
      </p>
      <JobProgress job={job} labelledBy={headingId} unit={unit} />
      <p>
        {done.toLocaleString()} of {total.toLocaleString()} {unit} done
        {failed > 0 ? `, ${failed.toLocaleString()} failed` : ''} ·{' '}
        {job.summary.withProblems.toLocaleString()} with problems
      </p>
      {job.error ? <p className="notice notice-danger">{job.error}</p> : null}
      <div className="job-actions">
        {active && can(JOB_PERMISSION[job.type]) ? (
          <button
            type="button"
            className="button"
            aria-describedby={headingId}
            onClick={() => cancel.mutate(job.id)}
            disabled={cancel.isPending}
          >
            Cancel
          </button>
        ) : null}
        <button
          type="button"
          className="button button-quiet"
          aria-expanded={open}
          aria-controls={resultsId}
          aria-describedby={headingId}
          onClick={onToggle}
        >
          {open ? 'Hide results' : 'Show results'}
        </button>
      </div>
      {cancel.isError ? <ErrorMessage title="Could not cancel" error={cancel.error} /> : null}
      <div id={resultsId} hidden={!open}>
        {open ? <Results job={job} problem={problem} onProblem={onProblem} /> : null}
      </div>
    </article>
  );
}

/** A linked job that is not among the 50 newest the list holds: read on its own. */
function LinkedJob(props: Omit<JobCardProps, 'job' | 'open'> & { jobId: string }) {
  const { jobId, ...card } = props;
  const job = useJob(jobId);
  if (job.isLoading) return <Loading label="Loading the job…" />;
  if (job.isError) return <ErrorMessage title={`Could not load job ${jobId}`} error={job.error} />;
  return job.data ? <JobCard job={job.data} open {...card} /> : null;
}

/** SPEC §9: start jobs (per role), follow their progress, cancel, read per-user results. */
export function JobsPage() {
  const jobs = useJobs();
  const view = useJobsView();
  const list = jobs.data?.jobs;
  const openId = view.jobId ?? list?.[0]?.id ?? null;
  const linkedId = list && view.jobId && !list.some((job) => job.id === view.jobId) ? view.jobId : null;
  const cardProps = (job: Job) => {
    const open = job.id === openId;
    return {
      job,
      open,
      onToggle: () => view.setJob(open ? null : job.id),
      problem: open ? view.problem : '',
      onProblem: (code: string) => view.setProblem(job.id, code),
    };
  };
  return (
    <Page heading="Jobs" actions={<StartButtons />}>
      {jobs.isLoading ? <Loading label="Loading jobs…" /> : null}
      {jobs.isError ? (
        <ErrorMessage title="Could not load the jobs" error={jobs.error} onRetry={() => jobs.refetch()} />
      ) : null}
      {jobs.data && jobs.data.jobs.length === 0 ? (
        <EmptyState title="No jobs yet">
          <p>
            A health sweep diagnoses every user without writing anything; a bulk refresh rewrites a list of
            users; a rebuild rewrites everyone.
          </p>
        </EmptyState>
      ) : null}
      <div className="jobs">
        {linkedId ? (
          <LinkedJob
            key={linkedId}
            jobId={linkedId}
            onToggle={() => view.setJob(null)}
            problem={view.problem}
            onProblem={(code) => view.setProblem(linkedId, code)}
          />
        ) : null}
        {list?.map((job) => (
          <JobCard key={job.id} {...cardProps(job)} />
        ))}
      </div>
    </Page>
  );
}
