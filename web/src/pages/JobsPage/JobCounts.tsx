import type { Job } from '../../api/types';
import { formatDuration } from '../../format';

/**
 * A job's counts in words (issue #21: counts that add up): how many it checked out of how many,
 * then what happened to them, one bucket each (`tallyBucket` in shared/), so the buckets always
 * sum to the number checked; and how long it ran.
 */

const BUCKET_WORDS: Record<string, string> = {
  ok: 'healthy',
  problems: 'with problems',
  repaired: 'repaired',
  unchanged: 'already right (expiry renewed)',
  reported: 'reported',
  fixed: 'marked as failed',
  generated: 'generation started',
  failed: 'failed',
};

/** Why results were skipped, in words; an unknown reason reads as its code's words. */
const SKIP_WORDS: Record<string, string> = {
  'no-stripe-customer': 'no Stripe customer',
  'stripe-customer-deleted': 'Stripe customer deleted',
  'customer-of-another-user': "another user's customer",
  'not-offered': 'not offered for its diagnosis',
  'already-started': 'generation already started',
  other: 'other reason',
};

const skipWords = (reason: string) => SKIP_WORDS[reason] ?? reason.replaceAll('-', ' ');

/** The buckets in a fixed order (good news first, failures last), skipped ones with their reasons. */
export function tallyLines(tally: Record<string, number>): Array<{ bucket: string; words: string }> {
  const order = Object.keys(BUCKET_WORDS);
  const rank = (bucket: string) =>
    bucket.startsWith('skipped:') ? order.indexOf('failed') - 0.5 : order.indexOf(bucket);
  return Object.entries(tally)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([bucket, count]) => ({
      bucket,
      words: `${count.toLocaleString()} ${
        bucket.startsWith('skipped:')
          ? `skipped (${skipWords(bucket.slice('skipped:'.length))})`
          : (BUCKET_WORDS[bucket] ?? bucket)
      }`,
    }));
}

/** "Took 3 min 10 s", "Running for 12 s", "Waiting for a worker" — from when a worker took it up. */
export function durationWords(
  job: Pick<Job, 'state' | 'createdAt' | 'startedAt' | 'finishedAt'>,
  now: number,
) {
  const started = Date.parse(job.startedAt ?? job.createdAt);
  if (job.state === 'queued') return 'Waiting for a worker';
  if (job.finishedAt) return `Took ${formatDuration((Date.parse(job.finishedAt) - started) / 1000)}`;
  return `Running for ${formatDuration((now - started) / 1000)}`;
}

export function JobCounts({ job, unit }: { job: Job; unit: string }) {
  const { done, total } = job.progress;
  const active = job.state === 'queued' || job.state === 'running';
  const lines = tallyLines(job.tally);
  return (
    <>
      <p>
        {total === 0 && active
          ? `Counting ${unit}…`
          : `${done.toLocaleString()} of ${total.toLocaleString()} ${unit} checked`}
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
