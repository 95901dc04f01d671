import { type JobSessionResult, type JobUserResult, problemTitle, problemTitles } from '@cache-doctor/shared';
import type { JobRecord, JobStore } from './store';

/**
 * A job's results as CSV (issue #21): people first (email, name), every problem code with its
 * title, and the messages in words — each problem's, then why the user was skipped or failed.
 * It follows the Jobs page's filter: with a problem code, only the results that have it.
 */

const cell = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const line = (values: readonly string[]) => values.map(cell).join(',');

export const USER_CSV_HEADER = line([
  'userId',
  'email',
  'name',
  'outcome',
  'reason',
  'broken',
  'problems',
  'problemTitles',
  'messages',
]);

export function userCsvLine(result: JobUserResult): string {
  const messages = [...(result.problemMessages ?? []), ...(result.message ? [result.message] : [])];
  return line([
    result.userId,
    result.email ?? '',
    result.name ?? '',
    result.outcome,
    result.reason ?? '',
    String(result.broken),
    result.problems.join(' '),
    problemTitles(result.problems),
    messages.join(' '),
  ]);
}

export const SESSION_CSV_HEADER = line([
  'sessionId',
  'customerEmail',
  'outcome',
  'reason',
  'diagnosis',
  'diagnosisTitle',
  'message',
  'auditId',
]);

export function sessionCsvLine(result: JobSessionResult): string {
  return line([
    result.sessionId,
    result.customerEmail ?? '',
    result.outcome,
    result.reason ?? '',
    result.code,
    problemTitle(result.code),
    result.message,
    result.auditId ?? '',
  ]);
}

/** The CSV a page of lines at a time (the header first): a big job's results are never all in memory. */
export async function* jobResultsCsv(
  store: JobStore,
  record: JobRecord,
  problem: string | undefined,
): AsyncGenerator<string[]> {
  if (record.type === 'session-sweep') {
    const results = await store.sessionResults(record.id, Number.POSITIVE_INFINITY, problem);
    yield [SESSION_CSV_HEADER, ...results.map(sessionCsvLine)];
    return;
  }
  yield [USER_CSV_HEADER];
  for await (const page of store.results(record.id)) {
    const picked = problem ? page.filter((result) => result.problems.includes(problem)) : page;
    if (picked.length > 0) yield picked.map(userCsvLine);
  }
}
