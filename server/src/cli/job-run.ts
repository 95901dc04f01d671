import { type CreateJob, type JobUserResult, jobWrites, tallyLines } from '@cache-doctor/shared';
import { delay } from '../adapters/rate-limiter';
import { JobQueue, startJobWorker } from '../jobs/runner';
import type { JobRecord, JobStore } from '../jobs/store';
import { startConfirmedJob } from '../services/job-plans';
import type { CliIo, OpenedServices } from './command';

/**
 * A bulk job run from the command line (SPEC §10): the same BullMQ job the Jobs page starts, so any
 * server's or `pnpm worker`'s workers share it, and this process works on it too (it runs with or
 * without a server). Progress goes to stderr, at most every PROGRESS_EVERY_MS; the caller prints
 * the result.
 */

/** How often the job's progress is read, and at most how often a progress line is printed. */
const POLL_MS = 250;
const PROGRESS_EVERY_MS = 2_000;

export const isFinished = (record: JobRecord) => record.state !== 'queued' && record.state !== 'running';

export interface FinishedJob {
  jobId: string;
  record: JobRecord;
  jobs: JobQueue;
  durationMs: number;
}

function progressLine(record: JobRecord, unit: string): string {
  if (record.phase === 'queued' || record.phase === 'collecting') return '  reading the upstreams…';
  const percent = record.total === 0 ? 100 : Math.floor((record.done / record.total) * 100);
  return `  ${record.done} / ${record.total} ${unit} (${percent} %), ${record.failed} failed`;
}

export async function runJobToEnd(
  opened: OpenedServices,
  io: CliIo,
  request: CreateJob,
  /** what the progress counts, e.g. "users checked" */
  unit: string,
  /** the plan the person confirmed (a job that writes): started only while it still holds */
  confirmedPlanId?: string,
): Promise<FinishedJob> {
  const { services, actor } = opened;
  const worker = await startJobWorker(services);
  try {
    const jobs = new JobQueue(services);
    await warnOfOverlap(jobs.store, io, request);
    const started = performance.now();
    const jobId = await startConfirmedJob(services, jobs, request, actor, confirmedPlanId);
    io.err(
      `Job ${jobId} (${request.type}) started (cancel it on the Jobs page or with DELETE /api/jobs/${jobId}).`,
    );
    let printed = { line: '', at: Number.NEGATIVE_INFINITY };
    for (;;) {
      const record = await jobs.store.get(jobId);
      if (!record) throw new Error(`job ${jobId} disappeared from Redis`);
      const line =
        request.type === 'session-sweep'
          ? `  ${record.checked} completed checkout sessions read, ${record.done} unprocessed handled, ${record.failed} failed`
          : progressLine(record, unit);
      const now = performance.now();
      if (line !== printed.line && (now - printed.at >= PROGRESS_EVERY_MS || isFinished(record))) {
        io.err(line);
        printed = { line, at: now };
      }
      if (isFinished(record))
        return { jobId, record, jobs, durationMs: Math.round(performance.now() - started) };
      await delay(POLL_MS);
    }
  } finally {
    await worker.close();
  }
}

/** Every user result worth listing (with problems, or failed), by user id. */
export async function flaggedUsers(store: JobStore, jobId: string): Promise<JobUserResult[]> {
  const flagged: JobUserResult[] = [];
  for await (const page of store.results(jobId, 'flagged')) flagged.push(...page);
  return flagged.sort((a, b) => a.userId.localeCompare(b.userId));
}

const writes = (record: Pick<JobRecord, 'type' | 'action'>) =>
  jobWrites({ type: record.type, ...(record.action && { sessionSweep: { action: record.action } }) });

/** Whether the job asked for writes to the app's keys (a session sweep only when it repairs). */
export const requestWrites = (request: CreateJob) =>
  writes({ type: request.type, action: request.type === 'session-sweep' ? request.action : null });

/** Says (on stderr) which running jobs this one overlaps: all of them when it writes, else those that write. */
async function warnOfOverlap(store: JobStore, io: CliIo, request: CreateJob): Promise<void> {
  const mine = requestWrites(request);
  const others = (await store.list(50)).filter((record) => !isFinished(record) && (mine || writes(record)));
  for (const record of others)
    io.err(
      `Warning: ${record.type} job ${record.id} (started ${record.createdAt}) is still running; ${
        mine ? 'this job writes too' : 'it writes'
      }, so the two read and write the same users at once.`,
    );
}

/** A finished job's counts in words, e.g. "36 repaired, 150 already right (expiry renewed), 2 failed". */
export async function tallyInWords(store: JobStore, jobId: string): Promise<string> {
  const lines = tallyLines(await store.counts(jobId, 'tally'));
  return lines.length === 0 ? 'nothing yet' : lines.map((line) => line.words).join(', ');
}
