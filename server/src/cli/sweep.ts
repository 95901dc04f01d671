import { parseArgs } from 'node:util';
import type { JobUserResult } from '@cache-doctor/shared';
import { delay } from '../adapters/rate-limiter';
import { JobQueue, startJobWorker } from '../jobs/runner';
import type { JobRecord } from '../jobs/store';
import { type CliCommand, EXIT, UsageError } from './command';
import { json, reportError } from './format';

/** How often the job's progress is read, and at most how often a progress line is printed. */
const POLL_MS = 250;
const PROGRESS_EVERY_MS = 2_000;
/** Broken users listed in words; --json lists them all. */
const LISTED = 20;

const isFinished = (record: JobRecord) => record.state !== 'queued' && record.state !== 'running';

function progressLine(record: JobRecord): string {
  if (record.phase === 'queued' || record.phase === 'collecting')
    return `  reading Clerk users and Stripe customers…`;
  const percent = record.total === 0 ? 100 : Math.floor((record.done / record.total) * 100);
  return `  ${record.done} / ${record.total} users checked (${percent} %), ${record.failed} failed`;
}

/**
 * `pnpm cli sweep [--json]` — the guide's `checkCacheHealth` loop over every user, as the same
 * health-sweep job the Jobs page starts (batched reads, shared rate limit, writes nothing). This
 * process works on the job too, so it runs with or without a server; any server's or `pnpm
 * worker`'s workers share it. The sweep feeds the sync-failure metric like one started on the page.
 */
export const sweepCommand: CliCommand = {
  usage: 'sweep [--json]',
  summary:
    'health sweep of every user, writing nothing: progress on stderr, then users checked and broken users by problem. ' +
    `Exit ${EXIT.ok} when no user is broken (warnings alone do not count), ${EXIT.problems} when some are, ${EXIT.failed} when the sweep failed`,
  async run({ args, io, open }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' } },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
    const asJson = values.json === true;
    const { services, actor } = await open();
    const worker = await startJobWorker(services);
    try {
      const jobs = new JobQueue(services);
      const started = performance.now();
      const jobId = await jobs.create({ type: 'sweep' }, actor);
      io.err(`Health sweep ${jobId} started (cancel it on the Jobs page or with DELETE /api/jobs/${jobId}).`);
      let record: JobRecord | null = null;
      let printed = { line: '', at: Number.NEGATIVE_INFINITY };
      for (;;) {
        record = await jobs.store.get(jobId);
        if (!record) throw new Error(`job ${jobId} disappeared from Redis`);
        const line = progressLine(record);
        const now = performance.now();
        if (line !== printed.line && (now - printed.at >= PROGRESS_EVERY_MS || isFinished(record))) {
          io.err(line);
          printed = { line, at: now };
        }
        if (isFinished(record)) break;
        await delay(POLL_MS);
      }
      const view = await jobs.store.view(record);
      const broken: Pick<JobUserResult, 'userId' | 'problems'>[] = [];
      for await (const page of jobs.store.results(jobId, 'flagged')) {
        for (const result of page)
          if (result.broken) broken.push({ userId: result.userId, problems: result.problems });
      }
      broken.sort((a, b) => a.userId.localeCompare(b.userId));
      const summary = {
        jobId,
        state: record.state,
        error: record.error,
        checked: record.done,
        failed: record.failed,
        withProblems: view.summary.withProblems,
        broken: broken.length,
        byCode: view.summary.byCode,
        durationMs: Math.round(performance.now() - started),
      };
      if (asJson) io.out(json({ ...summary, brokenUsers: broken }));
      else {
        io.out(`Health sweep ${jobId}: ${record.state}${record.error ? ` (${record.error})` : ''}`);
        io.out(`  Users checked:   ${summary.checked} in ${(summary.durationMs / 1000).toFixed(1)} s`);
        io.out(`  Failed:          ${summary.failed}`);
        io.out(`  With problems:   ${summary.withProblems} (broken: ${summary.broken})`);
        const codes = Object.entries(summary.byCode).sort(([, a], [, b]) => b - a);
        if (codes.length > 0) io.out('By problem');
        for (const [code, count] of codes) io.out(`  ${code.padEnd(28)} ${count}`);
        if (broken.length > 0) io.out(`Broken users${broken.length > LISTED ? ` (first ${LISTED})` : ''}`);
        for (const user of broken.slice(0, LISTED)) io.out(`  ${user.userId}  ${user.problems.join(', ')}`);
      }
      if (record.state !== 'completed') return EXIT.failed;
      return broken.length > 0 ? EXIT.problems : EXIT.ok;
    } catch (error) {
      return reportError(io, error, asJson);
    } finally {
      await worker.close();
    }
  },
};
