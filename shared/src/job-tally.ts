import type { JobSessionResult, JobType, JobUserResult } from './jobs';

/**
 * How a job's results are counted (issue #21: counts that add up). Every result falls in exactly
 * one bucket, so a job's buckets always sum to its `progress.done`; the server counts them as each
 * batch commits and the Jobs page names them.
 *
 * Users: `ok` / `problems` (a sweep diagnosed them), `repaired` (a refresh changed a value) /
 * `unchanged` (a refresh found every value right and only renewed the expiry),
 * `skipped:<reason>`, `failed`. Sessions: `reported`, `fixed`, `generated`, `skipped:<reason>`,
 * `failed`.
 */
export function tallyBucket(result: JobUserResult | JobSessionResult): string {
  if (result.outcome === 'skipped') return `skipped:${result.reason ?? 'other'}`;
  if ('userId' in result) {
    if (result.outcome === 'diagnosed') return result.problems.length > 0 ? 'problems' : 'ok';
    if (result.outcome === 'refreshed') return result.changedKeys?.length === 0 ? 'unchanged' : 'repaired';
  }
  return result.outcome;
}

/** Each bucket in words (after its count). */
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
  'not-in-plan': 'not in the confirmed plan',
  other: 'other reason',
  // a bulk refresh's plan names the error its preview answered for a user it would skip
  NOTHING_TO_CACHE: 'nothing to cache',
  USER_NOT_FOUND: 'no such user in Clerk',
  CONFLICT: "another user's customer",
};

/** Why a result (or a plan's user) is skipped, in words; an unknown reason reads as its code's words. */
export const skipWords = (reason: string) =>
  SKIP_WORDS[reason] ?? reason.toLowerCase().replaceAll(/[-_]/g, ' ');

/**
 * A job's tally in words, one line per bucket in a fixed order (good news first, failures last),
 * skipped ones with their reason: what the Jobs page and the CLI print.
 */
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

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The file a job's CSV is saved as: its type and the time it started, in the reader's (or the
 * server's) local time — `sweep-2026-12-02-1403.csv`.
 */
export function jobCsvFileName(type: JobType, createdAt: string | Date): string {
  const at = new Date(createdAt);
  const day = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  return `${type}-${day}-${pad(at.getHours())}${pad(at.getMinutes())}.csv`;
}
