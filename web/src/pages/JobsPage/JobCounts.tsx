import { tallyLines } from '@cache-doctor/shared';
import type { Job } from '../../api/types';
import { formatDuration, plural } from '../../format';

/** "Took 3 min 10 s", "Running for 12 s", "Waiting for a worker" — from when a worker took it up. */
function durationWords(job: Pick<Job, 'state' | 'createdAt' | 'startedAt' | 'finishedAt'>, now: number) {
  const started = Date.parse(job.startedAt ?? job.createdAt);
  if (job.state === 'queued') return 'Waiting for a worker';
  if (job.finishedAt) return `Took ${formatDuration((Date.parse(job.finishedAt) - started) / 1000)}`;
  return `Running for ${formatDuration((now - started) / 1000)}`;
}

/**
 * A job's counts in words (issue #21: counts that add up): how many it checked out of how many,
 * then what happened to them, one bucket each (`tallyBucket` in shared/), so the buckets always
 * sum to the number checked; and how long it ran.
 */
export function JobCounts({ job, unit }: { job: Job; unit: 'user' | 'session' }) {
  const { done, total } = job.progress;
  const active = job.state === 'queued' || job.state === 'running';
  const lines = tallyLines(job.tally);
  return (
    <>
      <p>
        {total === 0 && active
          ? `Counting ${unit}s…`
          : `${done.toLocaleString()} of ${plural(total, unit)} checked`}
        {' · '}
        {durationWords(job, Date.now())}
      </p>
      {lines.length > 0 ? (
        <ul className="job-tally" aria-label="What happened to them">
          {lines.map((line) => (
            <li key={line.bucket} data-bucket={line.bucket}>
              {line.words}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
