import type { JobType } from '@cache-doctor/shared';
import { useId } from 'react';
import type { Job } from '../../api/types';
import { DisclosureButton } from '../../components/DisclosureButton/DisclosureButton';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { formatDateTime } from '../../format';
import { useCancelJob, useJob } from '../../hooks/useJobs';
import { useStaff } from '../../hooks/useStaff';
import { JobCounts } from './JobCounts';
import { JobProgress, JobStateBadge } from './JobProgress';
import { JobResults } from './JobResults';

export const JOB_LABELS: Record<JobType, string> = {
  sweep: 'Health sweep',
  'bulk-refresh': 'Bulk refresh',
  rebuild: 'Rebuild cache',
  'session-sweep': 'Session sweep',
};
export interface JobCardProps {
  job: Job;
  open: boolean;
  onToggle: () => void;
  problem: string;
  onProblem: (code: string) => void;
  /** a job started from this one's results opens */
  onStarted?: (jobId: string) => void;
}

export function JobCard({ job, open, onToggle, problem, onProblem, onStarted }: JobCardProps) {
  const { canStart } = useStaff();
  const cancel = useCancelJob();
  const headingId = useId();
  const resultsId = useId();
  const label = JOB_LABELS[job.type];
  const unit = job.type === 'session-sweep' ? 'session' : 'user';
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
        Started by {job.actorName ?? job.actor}
        {job.actorName && job.actorName !== job.actor ? (
          <span className="audit-note"> {job.actor}</span>
        ) : null}
        {job.phase === 'collecting'
          ? job.type === 'session-sweep'
            ? ' · reading Stripe'
            : ' · reading Clerk and Stripe'
          : ''}
      </p>
      <JobProgress job={job} labelledBy={headingId} unit={unit} />
      <JobCounts job={job} unit={unit} />
      {job.error ? <p className="notice notice-danger">{job.error}</p> : null}
      <div className="job-actions">
        {active && canStart(job.type) ? (
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
        <DisclosureButton
          open={open}
          onToggle={onToggle}
          controls={resultsId}
          describedBy={headingId}
          show="Show results"
          hide="Hide results"
        />
      </div>
      {cancel.isError ? <ErrorMessage title="Could not cancel" error={cancel.error} /> : null}
      <div id={resultsId} hidden={!open}>
        {open ? (
          <JobResults job={job} problem={problem} onProblem={onProblem} {...(onStarted && { onStarted })} />
        ) : null}
      </div>
    </article>
  );
}

/** A linked job that is not among the 50 newest the list holds: read on its own. */
export function LinkedJob(props: Omit<JobCardProps, 'job' | 'open'> & { jobId: string }) {
  const { jobId, ...card } = props;
  const job = useJob(jobId);
  if (job.isLoading) return <Loading label="Loading the job…" />;
  if (job.isError) return <ErrorMessage title={`Could not load job ${jobId}`} error={job.error} />;
  return job.data ? <JobCard job={job.data} open {...card} /> : null;
}
