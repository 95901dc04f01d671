import { jobWrites } from '@cache-doctor/shared';
import type { Job } from '../../api/types';
import { formatTime } from '../../format';
import { isActive, useJobs } from '../../hooks/useJobs';
import { JOB_LABELS } from './JobCard';

const named = (job: Job) => `${JOB_LABELS[job.type]} (started ${formatTime(job.createdAt)})`;

/** The running jobs a job would overlap: all of them when it writes, else those that write. */
export function overlapping(jobs: readonly Job[], writes: boolean): Job[] {
  return jobs.filter((job) => isActive(job) && (writes || jobWrites(job)));
}

/**
 * Issue #21: a job that runs beside one that writes reads users while they are rewritten (a
 * sweep's findings go stale at once) or writes them twice. Said before a job starts, in its
 * dialog; nothing is refused — the jobs' writes stay atomic per batch either way.
 */
export function OverlapWarning({ writes }: { writes: boolean }) {
  const jobs = useJobs();
  const others = overlapping(jobs.data?.jobs ?? [], writes);
  if (others.length === 0) return null;
  return (
    <div className="notice notice-warning" role="note">
      <p>
        <strong>
          {others.length === 1
            ? 'Another job is still running'
            : `${others.length} other jobs are still running`}
          :
        </strong>{' '}
        {others.map(named).join(', ')}.{' '}
        {writes
          ? 'This job writes: the two would read and write the same users at once. Wait for it to end, or start anyway.'
          : 'It writes: what this job finds may be rewritten while it reads. Wait for it to end, or start anyway.'}
      </p>
    </div>
  );
}

/** On the Jobs page: two jobs running at once where one writes, said where both are listed. */
export function RunningTogether({ jobs }: { jobs: readonly Job[] }) {
  const active = jobs.filter(isActive);
  if (active.length < 2 || !active.some((job) => jobWrites(job))) return null;
  return (
    <p className="notice notice-warning" role="note">
      <strong>Jobs running at once:</strong> {active.map(named).join(', ')}. At least one of them writes, so
      the others may read users while they are rewritten; their results can be out of date as they appear.
    </p>
  );
}
