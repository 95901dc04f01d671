import { parseArgs } from 'node:util';
import { type CliCommand, EXIT, UsageError } from './command';
import { json, personLine, problemsInWords, reportError } from './format';
import { flaggedUsers, runJobToEnd, tallyInWords } from './job-run';

/** Broken users listed in words; --json lists them all. */
const LISTED = 20;

/**
 * `pnpm cli sweep [--json]` — the guide's `checkCacheHealth` loop over every user, as the same
 * health-sweep job the Jobs page starts (batched reads, shared rate limit, writes nothing). The
 * sweep feeds the sync-failure metric like one started on the page.
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
    try {
      const { jobId, record, jobs, durationMs } = await runJobToEnd(
        await open(),
        io,
        { type: 'sweep' },
        'users checked',
      );
      const view = await jobs.store.view(record);
      const broken = (await flaggedUsers(jobs.store, jobId))
        .filter((result) => result.broken)
        .map(({ userId, email, name, problems }) => ({
          userId,
          email: email ?? null,
          name: name ?? null,
          problems,
        }));
      const summary = {
        jobId,
        state: record.state,
        error: record.error,
        checked: record.done,
        failed: record.failed,
        withProblems: view.summary.withProblems,
        broken: broken.length,
        byCode: view.summary.byCode,
        durationMs,
      };
      if (asJson) io.out(json({ ...summary, brokenUsers: broken }));
      else {
        io.out(`Health sweep ${jobId}: ${record.state}${record.error ? ` (${record.error})` : ''}`);
        io.out(`  Users checked:   ${summary.checked} in ${(summary.durationMs / 1000).toFixed(1)} s`);
        io.out(`  What happened:   ${await tallyInWords(jobs.store, jobId)}`);
        io.out(`  Failed:          ${summary.failed}`);
        io.out(`  With problems:   ${summary.withProblems} (broken: ${summary.broken})`);
        const codes = Object.entries(summary.byCode).sort(([, a], [, b]) => b - a);
        if (codes.length > 0) io.out('By problem');
        for (const [code, count] of codes) io.out(`  ${problemsInWords([code]).padEnd(64)} ${count}`);
        if (broken.length > 0) io.out(`Broken users${broken.length > LISTED ? ` (first ${LISTED})` : ''}`);
        for (const user of broken.slice(0, LISTED))
          io.out(`  ${personLine(user)}: ${problemsInWords(user.problems)}`);
      }
      if (record.state !== 'completed') return EXIT.failed;
      return broken.length > 0 ? EXIT.problems : EXIT.ok;
    } catch (error) {
      return reportError(io, error, asJson);
    }
  },
};
