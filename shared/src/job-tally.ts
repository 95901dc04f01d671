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
