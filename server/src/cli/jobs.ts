import { parseArgs } from 'node:util';
import {
  type CreateJob,
  type JobSessionResult,
  type JobUserResult,
  MAX_BULK_REFRESH_USERS,
  type SessionSweepAction,
  sweepSinceSchema,
  USER_ID_PATTERN,
} from '@cache-doctor/shared';
import { planJob } from '../services/job-plans';
import {
  type CliCommand,
  type CliContext,
  type CliIo,
  confirmPlan,
  EXIT,
  type OpenedServices,
  UsageError,
} from './command';
import { json, personLine, problemsInWords, reportError } from './format';
import { type FinishedJob, flaggedUsers, requestWrites, runJobToEnd, tallyInWords } from './job-run';

/**
 * `pnpm cli bulk-refresh <userId…>`, `pnpm cli rebuild`, `pnpm cli session-sweep [--since ISO]
 * [--fix|--generate]` (SPEC §10): the Jobs page's jobs from a shell. Progress on stderr; on stdout
 * a summary in words, or with --json one flat object (scalars, then one array of flat rows). Exit 0
 * when all is well, 3 when what was asked about still has problems, 1 when the job failed or its
 * plan was not confirmed. A job that writes shows its plan first (on stderr, so --json stays one
 * object) and starts with that plan's id after --yes or a typed yes, as the Jobs page's dialogs do.
 */

/** Rows listed in words; --json lists them all. */
const LISTED = 20;

const jobSummary = ({ jobId, record, durationMs }: FinishedJob) => ({
  jobId,
  type: record.type,
  state: record.state,
  error: record.error,
  done: record.done,
  total: record.total,
  failed: record.failed,
  durationMs,
});

/** A refreshed user is repaired; a skipped or failed one still has what it had. */
const stillBroken = (result: JobUserResult) =>
  result.outcome === 'failed' || (result.outcome !== 'refreshed' && result.broken);

/** The plan a writing job would carry out, in words. */
async function describePlan(opened: OpenedServices, io: CliIo, request: CreateJob): Promise<string> {
  const { plan, planId } = await planJob(opened.services, request, opened.actor);
  switch (plan.type) {
    case 'bulk-refresh':
      io.err(`Plan ${planId}: refresh ${plan.users.length} users' caches from Stripe:`);
      for (const user of plan.users)
        io.err(
          `  ${user.userId}  ${user.email ?? '(no email)'}  ${
            user.skip ? `skipped (${user.skip})` : user.upToDate ? 'already up to date' : 'refresh'
          }`,
        );
      break;
    case 'rebuild':
      io.err(`Plan ${planId}: rewrite the cache of every Clerk user from Stripe — ${plan.users} users.`);
      break;
    case 'session-sweep':
      io.err(
        `Plan ${planId}: ${plan.action === 'fix' ? 'mark as failed' : 'start a paid generation for'} ${
          plan.sessions.length
        } of the ${plan.listed} unprocessed paid sessions since ${plan.since}:`,
      );
      for (const session of plan.sessions)
        io.err(`  ${session.sessionId}  ${session.customerEmail ?? '(no email)'}`);
      break;
    case 'sweep':
      break;
  }
  return planId;
}

/**
 * Runs `request` to its end; a job that writes only after its plan is confirmed (null: it was not,
 * nothing was started).
 */
async function runConfirmedJob(
  context: CliContext,
  request: CreateJob,
  yes: boolean,
  unit: string,
): Promise<FinishedJob | null> {
  const opened = await context.open();
  if (!requestWrites(request)) return runJobToEnd(opened, context.io, request, unit);
  const planId = await describePlan(opened, context.io, request);
  if (!(await confirmPlan(context.io, yes, 'Start this job?'))) return null;
  return runJobToEnd(opened, context.io, request, unit, planId);
}

async function runRefreshJob(
  context: CliContext,
  request: CreateJob,
  options: { asJson: boolean; yes: boolean },
): Promise<number> {
  const { asJson } = options;
  const finished = await runConfirmedJob(context, request, options.yes, 'users refreshed');
  if (!finished) return EXIT.failed;
  const flagged = await flaggedUsers(finished.jobs.store, finished.jobId);
  const rows = flagged.map((result) => ({
    userId: result.userId,
    email: result.email ?? null,
    name: result.name ?? null,
    outcome: result.outcome,
    problems: result.problems.join(' '),
    message: result.message ?? '',
  }));
  const remaining = flagged.filter(stillBroken).length;
  const summary = { ...jobSummary(finished), stillWithProblems: remaining };
  const { io } = context;
  if (asJson) io.out(json({ ...summary, users: rows }));
  else {
    io.out(
      `${request.type} ${finished.jobId}: ${summary.state}${summary.error ? ` (${summary.error})` : ''}`,
    );
    io.out(
      `  Users:             ${summary.done} / ${summary.total} in ${(summary.durationMs / 1000).toFixed(1)} s`,
    );
    io.out(`  What happened:     ${await tallyInWords(finished.jobs.store, finished.jobId)}`);
    io.out(`  Failed:            ${summary.failed}`);
    io.out(`  Still with problems: ${remaining}`);
    for (const result of flagged.slice(0, LISTED)) {
      const problems = result.problems.length > 0 ? `  ${problemsInWords(result.problems)}` : '';
      io.out(
        `  ${personLine(result)}  ${result.outcome}${problems}${result.message ? ` — ${result.message}` : ''}`,
      );
    }
    if (rows.length > LISTED) io.out(`  … and ${rows.length - LISTED} more (--json lists them all)`);
  }
  if (summary.state !== 'completed') return EXIT.failed;
  return remaining > 0 ? EXIT.problems : EXIT.ok;
}

export const bulkRefreshCommand: CliCommand = {
  usage: 'bulk-refresh <userId…> [--yes] [--json]',
  summary: `refresh the listed users' caches from Stripe as a job (up to ${MAX_BULK_REFRESH_USERS}); exit ${EXIT.problems} when some still have problems`,
  async run(context) {
    const { values, positionals } = parseArgs({
      args: context.args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, yes: { type: 'boolean' } },
    });
    if (positionals.length === 0) throw new UsageError('expected at least one user id');
    const invalid = positionals.find((id) => !USER_ID_PATTERN.test(id) || id.length > 255);
    if (invalid) throw new UsageError(`not a Clerk user id (user_...): ${invalid}`);
    if (positionals.length > MAX_BULK_REFRESH_USERS)
      throw new UsageError(`at most ${MAX_BULK_REFRESH_USERS} users per bulk refresh`);
    const asJson = values.json === true;
    try {
      return await runRefreshJob(
        context,
        { type: 'bulk-refresh', userIds: [...new Set(positionals)] },
        { asJson, yes: values.yes === true },
      );
    } catch (error) {
      return reportError(context.io, error, asJson);
    }
  },
};

export const rebuildCommand: CliCommand = {
  usage: 'rebuild [--yes] [--json]',
  summary: `rewrite every Clerk user's cache from Stripe as a job (admin); exit ${EXIT.problems} when some still have problems`,
  async run(context) {
    const { values, positionals } = parseArgs({
      args: context.args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, yes: { type: 'boolean' } },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
    const asJson = values.json === true;
    try {
      return await runRefreshJob(context, { type: 'rebuild' }, { asJson, yes: values.yes === true });
    } catch (error) {
      return reportError(context.io, error, asJson);
    }
  },
};

/** What a session-sweep result leaves behind: repaired, or still waiting for someone. */
const repaired = (result: JobSessionResult) => result.outcome === 'fixed' || result.outcome === 'generated';

export const sessionSweepCommand: CliCommand = {
  usage: 'session-sweep [--since ISO] [--fix|--generate] [--yes] [--json]',
  summary:
    'paid checkout sessions the app never processed (Stripe completed, Redis shows no video); --fix marks them failed, --generate starts their videos. ' +
    `Exit ${EXIT.problems} while some remain unprocessed`,
  async run(context) {
    const { values, positionals } = parseArgs({
      args: context.args,
      allowPositionals: true,
      options: {
        since: { type: 'string' },
        fix: { type: 'boolean' },
        generate: { type: 'boolean' },
        yes: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
    if (values.fix && values.generate) throw new UsageError('--fix and --generate are separate repairs');
    if (values.since !== undefined && !sweepSinceSchema.safeParse(values.since).success)
      throw new UsageError(`--since must be an ISO date-time, e.g. 2026-01-31T00:00:00Z: ${values.since}`);
    const action: SessionSweepAction = values.fix ? 'fix' : values.generate ? 'generate' : 'report';
    const asJson = values.json === true;
    const { io } = context;
    try {
      const request: CreateJob = {
        type: 'session-sweep',
        action,
        ...(values.since !== undefined && { since: values.since }),
      };
      const finished = await runConfirmedJob(context, request, values.yes === true, 'unprocessed sessions');
      if (!finished) return EXIT.failed;
      const results = await finished.jobs.store.sessionResults(finished.jobId, Number.POSITIVE_INFINITY);
      const remaining = results.filter((result) => !repaired(result)).length;
      const summary = {
        ...jobSummary(finished),
        action,
        since: finished.record.since,
        checked: finished.record.checked,
        unprocessed: results.length,
        stillUnprocessed: remaining,
      };
      const rows = results.map((result) => ({
        sessionId: result.sessionId,
        code: result.code,
        outcome: result.outcome,
        message: result.message,
        auditId: result.auditId ?? null,
        generationId: result.generationId ?? null,
      }));
      if (asJson) io.out(json({ ...summary, sessions: rows }));
      else {
        io.out(
          `Session sweep ${finished.jobId} (${action}): ${summary.state}${summary.error ? ` (${summary.error})` : ''}`,
        );
        io.out(
          `  Completed checkout sessions read: ${summary.checked} since ${summary.since ?? 'the default window'}`,
        );
        io.out(`  Unprocessed paid sessions:        ${summary.unprocessed}, still unprocessed: ${remaining}`);
        for (const row of rows.slice(0, LISTED))
          io.out(`  ${row.sessionId}  ${problemsInWords([row.code])}  ${row.outcome}`);
        if (rows.length > LISTED) io.out(`  … and ${rows.length - LISTED} more (--json lists them all)`);
      }
      if (summary.state !== 'completed') return EXIT.failed;
      return remaining > 0 ? EXIT.problems : EXIT.ok;
    } catch (error) {
      return reportError(io, error, asJson);
    }
  },
};
