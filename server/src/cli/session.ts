import { parseArgs } from 'node:util';
import { problemTitle, SESSION_ID_PATTERN } from '@cache-doctor/shared';
import { fixSession, previewFix } from '../services/session-fix';
import { generateVideo, previewGenerate } from '../services/session-generate';
import { inspectSession, type SessionInspection } from '../services/session-inspect';
import { type CliCommand, type CliIo, confirmPlan, EXIT, UsageError } from './command';
import { formatTtl, json, planLines, reportError, truncate } from './format';

function printInspection(io: CliIo, view: SessionInspection): void {
  io.out(`Session ${view.sessionId} (${view.layout} layout)`);
  io.out(
    view.stripe
      ? `Stripe: status ${view.stripe.status ?? 'unknown'}, payment ${view.stripe.paymentStatus ?? 'unknown'}`
      : `Stripe: ${view.stripeNote ?? 'unknown'}`,
  );
  for (const state of [view.keys.webhook, view.keys.session, view.keys.prompt]) {
    const value = state.exists ? `  ${truncate(state.raw ?? '(not a string value)', 160)}` : '';
    io.out(`  ${state.key.padEnd(40)} ${formatTtl(state.ttl).padEnd(10)}${value}`);
  }
  if (view.generation) {
    const { fileId, state, url, error, checkedAt } = view.generation;
    io.out(
      `Generation: ${state} (file ${fileId}, asked ${checkedAt})${url ? ` ${url}` : ''}${error ? ` — ${error}` : ''}`,
    );
  }
  if (view.outcomeUnknown)
    io.out(`Generation start ${view.outcomeUnknown.at}: ${view.outcomeUnknown.message}`);
  const { diagnosis } = view;
  io.out(`Diagnosis: ${diagnosis.code} (${diagnosis.severity}) — ${problemTitle(diagnosis.code)}`);
  io.out(`  ${diagnosis.message}`);
  const offered = diagnosis.fixes.map((fix) => (fix === 'fix-session' ? '--fix' : '--generate'));
  if (offered.length > 0) io.out(`  Offered: ${offered.join(', ')}`);
}

/** The person said no (or could not be asked): nothing was written. */
function declined(io: CliIo, result: Record<string, unknown>, asJson: boolean): number {
  if (asJson) io.out(json({ ...result, applied: false }));
  return EXIT.failed;
}

/** `pnpm cli session <sessionId> [--fix] [--generate] [--yes] [--json]` — redis-session-debug.js, kept. */
export const sessionCommand: CliCommand = {
  usage: 'session <sessionId> [--fix] [--generate] [--yes] [--json]',
  summary: 'show a checkout session, its diagnosis, and fix it or start its generation',
  async run({ args, io, open }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        fix: { type: 'boolean' },
        generate: { type: 'boolean' },
        yes: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    const [sessionId, ...extra] = positionals;
    if (!sessionId || extra.length > 0) throw new UsageError('expected exactly one session id');
    if (!SESSION_ID_PATTERN.test(sessionId) || sessionId.length > 255)
      throw new UsageError(`not a Stripe checkout session id (cs_test_... or cs_live_...): ${sessionId}`);
    const asJson = values.json === true;
    const { services, actor } = await open();
    const result: Record<string, unknown> = {};
    try {
      result.session = await inspectSession(services, sessionId);
      if (!asJson) printInspection(io, result.session as SessionInspection);
      const yes = values.yes === true;
      if (values.fix) {
        // the plan first (printed), then exactly that plan once confirmed
        const plan = await previewFix(services, sessionId);
        if (!asJson) for (const line of planLines(plan.writes)) io.out(line);
        if (!(await confirmPlan(io, yes, 'Mark this session as failed?')))
          return declined(io, result, asJson);
        const fix = await fixSession(services, sessionId, actor, {}, plan.planId);
        result.fix = fix;
        if (!asJson) io.out(`Fixed: wrote status "${fix.status.status}" (audit entry ${fix.auditId}).`);
      }
      if (values.generate) {
        const plan = await previewGenerate(services, sessionId);
        if (plan.planId === null) {
          // a generation is running or done: nothing to confirm, and nothing is started unconfirmed
          result.generate = { existingGenerationId: plan.existingGenerationId, started: false };
          if (!asJson)
            io.out(
              `Generation ${plan.existingGenerationId} had already been started; nothing new was started.`,
            );
          return declined(io, result, asJson);
        }
        if (!asJson && plan.request) {
          io.out(`  sends: ${JSON.stringify(plan.request)}`);
          for (const line of planLines(plan.writes)) io.out(line);
        }
        if (!(await confirmPlan(io, yes, 'Start this paid generation?'))) return declined(io, result, asJson);
        const generation = await generateVideo(services, sessionId, actor, {}, { planId: plan.planId });
        result.generate = generation;
        if (!asJson)
          io.out(
            generation.outcome === 'started'
              ? `Generation ${generation.generationId} started (audit entry ${generation.auditId}).`
              : `Generation ${generation.generationId} had already been started; nothing new was started.`,
          );
      }
      if (values.fix || values.generate) {
        result.after = await inspectSession(services, sessionId);
        if (!asJson) {
          const after = result.after as SessionInspection;
          io.out(`Now: ${after.diagnosis.code} — ${after.diagnosis.message}`);
        }
      }
      // exit 3 while the session (as it stands now) is not OK
      const now = (result.after ?? result.session) as SessionInspection;
      result.problemsRemain = now.diagnosis.code !== 'OK';
      if (asJson) io.out(json(result));
      return now.diagnosis.code === 'OK' ? EXIT.ok : EXIT.problems;
    } catch (error) {
      if (asJson && Object.keys(result).length > 0) io.err(json(result));
      return reportError(io, error, asJson);
    }
  },
};
