import {
  POLICY_NAMES,
  type PolicyAction,
  type PolicyName,
  type PolicyResult,
  policyActorId,
  type Staff,
} from '@cache-doctor/shared';
import { takeLock } from '../adapters/owner-lock';
import { changedByPeople, PolicyStore } from '../adapters/policy-store';
import {
  afterResult,
  driftCandidates,
  eligibleTargets,
  HUMAN_QUIET_MS,
  newlyListed,
  type PolicyCandidate,
  type PolicyState,
  sessionCandidates,
  stoppedState,
  wouldDo,
} from '../domain/policies';
import { isAppError } from '../lib/app-error';
import { AlertNotifier } from '../metrics/notifier';
import { readAttention } from './attention';
import type { Services } from './container';
import { refreshCustomer } from './customers';
import { generateVideo, previewGenerate } from './session-generate';

/**
 * Automatic repairs (SPEC §3): after each scheduled sweep, every policy that is `on` repairs what
 * the sweep found, oldest first, through the same preview → apply-with-planId path as a person's
 * click, audited as `policy:<name>`. One run at a time across every process (a lock), and each
 * target claimed before it is touched, so two processes never both act on it.
 */

/** Longer than any run; it only outlives a run whose process died. */
const RUN_LOCK_MS = 10 * 60_000;
export const POLICY_RUNBOOK = 'docs/runbook.md#automatic-repairs';

export const policyStore = (services: Services) =>
  new PolicyStore(services.ownRedis, services.keys, services.config.demo);

export const policyStaff = (name: PolicyName): Staff => ({
  id: policyActorId(name),
  name: `Automatic repair (${name})`,
  role: 'ops',
});

/** A refusal the repair makes on purpose (nothing to do, or no longer safe): a skip, not a failure. */
const isRefusal = (error: unknown) =>
  isAppError(
    error,
    'STATUS_EXISTS',
    'PAYMENT_NOT_COMPLETED',
    'ACTION_NOT_AVAILABLE',
    'SESSION_NOT_FOUND',
    'SESSION_MALFORMED',
    'PLAN_CHANGED',
    'NOTHING_TO_CACHE',
    'USER_NOT_FOUND',
  );

interface Outcome {
  result: Exclude<PolicyResult, 'stopped'>;
  message: string;
  auditId: string | null;
}

/** One repair, previewed then applied with the preview's planId: exactly what a click does. */
async function repair(services: Services, name: PolicyName, target: string): Promise<Outcome> {
  const staff = policyStaff(name);
  try {
    if (name === 'refresh-drifted') {
      const preview = await refreshCustomer(services, target, { dryRun: true, staff });
      if (preview.upToDate) return { result: 'skipped', message: 'Already up to date.', auditId: null };
      const applied = await refreshCustomer(services, target, {
        dryRun: false,
        planId: preview.planId,
        staff,
      });
      return {
        result: 'applied',
        message: 'Refreshed the cache from Stripe and Clerk.',
        auditId: applied.auditId,
      };
    }
    const preview = await previewGenerate(services, target);
    if (preview.existingGenerationId || !preview.planId)
      return {
        result: 'skipped',
        message: `Generation ${preview.existingGenerationId} had already been started.`,
        auditId: null,
      };
    const generated = await generateVideo(services, target, staff, {}, { planId: preview.planId });
    return generated.outcome === 'started'
      ? {
          result: 'applied',
          message: `Started generation ${generated.generationId}.`,
          auditId: generated.auditId,
        }
      : {
          result: 'skipped',
          message: `Generation ${generated.generationId} had already been started.`,
          auditId: null,
        };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const auditId = isAppError(error)
      ? ((error.details as { auditId?: string } | undefined)?.auditId ?? null)
      : null;
    return { result: isRefusal(error) ? 'skipped' : 'failed', message, auditId };
  }
}

async function candidatesOf(
  services: Services,
  store: PolicyStore,
  name: PolicyName,
): Promise<PolicyCandidate[]> {
  if (name === 'refresh-drifted') {
    const attention = await readAttention(services, { limit: Number.MAX_SAFE_INTEGER });
    return driftCandidates(attention.users);
  }
  return sessionCandidates(await store.sweptSessions())[name];
}

/**
 * The policy's alert (SPEC §3 "stop themselves and alert"), posted like a metric's: firing when it
 * stops itself, resolved when an admin lets it act again. `stopped` is the state it stopped in.
 */
export async function postPolicyAlert(
  services: Services,
  name: PolicyName,
  stopped: PolicyState,
  alert: { state: 'firing' | 'resolved'; value: number; threshold: number },
) {
  const why = `Automatic repair ${name} stopped itself: ${stopped.stopped?.reason ?? ''}`;
  const text = alert.state === 'firing' ? why : `Automatic repair ${name} may act again (resolved). ${why}`;
  await new AlertNotifier({ url: services.config.alerts.webhookUrl }).post(
    {
      metric: `policy:${name}`,
      policy: name,
      ...alert,
      since: Date.parse(stopped.stopped?.at ?? new Date().toISOString()),
      text: `${text}\nAffected: Automatic repairs (/policies) · Runbook: ${POLICY_RUNBOOK}`,
      affected: { words: 'Automatic repairs', path: '/policies' },
      runbook: POLICY_RUNBOOK,
    },
    { policy: name, state: alert.state },
  );
}

export interface PolicyRunReport {
  name: PolicyName;
  mode: PolicyState['mode'];
  acted: number;
  skipped: Array<{ target: string; reason: string }>;
  stoppedBy: 'pause' | 'limit' | 'failures' | 'mode' | null;
}

/** One policy over its candidates: a dry run lists them; `on` repairs them until a stop. */
export async function runPolicy(
  services: Services,
  name: PolicyName,
  now = Date.now(),
): Promise<PolicyRunReport> {
  const store = policyStore(services);
  let state = await store.state(name);
  const report: PolicyRunReport = { name, mode: state.mode, acted: 0, skipped: [], stoppedBy: null };
  if (state.mode === 'off') return report;
  const candidates = await candidatesOf(services, store, name);
  const [people, claimed] = await Promise.all([
    changedByPeople(services.audit, services.keys, now - HUMAN_QUIET_MS),
    store.claimed(name, candidates),
  ]);
  const { eligible, skipped } = eligibleTargets(candidates, {
    now,
    minAgeMs: state.minAgeMs,
    changedByPeople: people,
    claimed,
  });
  report.skipped = skipped.map(({ candidate, reason }) => ({ target: candidate.target, reason }));
  let actionsLastHour = await store.actionsLastHour(name, now);
  if (state.mode === 'dry-run') {
    const room = Math.max(0, state.maxPerHour - actionsLastHour);
    const items = wouldDo(eligible, room);
    const previous = await store.wouldDo(name);
    await store.saveWouldDo(name, items, new Date(now), newlyListed(previous.items, items));
    return report;
  }
  for (const candidate of eligible) {
    // checked before every action, so "Pause all" or an admin's change stops a run within one
    if (await store.paused()) {
      report.stoppedBy = 'pause';
      break;
    }
    state = await store.state(name);
    if (state.mode !== 'on') {
      report.stoppedBy = 'mode';
      break;
    }
    const at = new Date();
    if (actionsLastHour >= state.maxPerHour) {
      state = stoppedState(
        state,
        at,
        `Reached its limit of ${state.maxPerHour} actions an hour; switched off.`,
      );
      await store.saveState(name, state);
      await recordStop(store, name, candidate, state, at);
      await postPolicyAlert(services, name, state, {
        state: 'firing',
        value: actionsLastHour,
        threshold: state.maxPerHour,
      });
      report.stoppedBy = 'limit';
      break;
    }
    if (!(await store.claim(name, candidate, at.toISOString()))) continue; // another process has it
    const outcome = await repair(services, name, candidate.target);
    const action: PolicyAction = {
      at: at.toISOString(),
      target: candidate.target,
      problem: candidate.problems.join(', '),
      ...outcome,
    };
    await store.recordAction(name, action, at.getTime());
    if (outcome.result !== 'skipped') {
      actionsLastHour += 1;
      report.acted += 1;
    }
    const next = afterResult(state, outcome.result, new Date());
    await store.saveState(name, { failuresInRow: next.failuresInRow, ...(next.mode === 'off' && next) });
    if (next.mode === 'off') {
      await postPolicyAlert(services, name, next, {
        state: 'firing',
        value: next.failuresInRow,
        threshold: next.failuresInRow,
      });
      report.stoppedBy = 'failures';
      break;
    }
    state = next;
  }
  return report;
}

async function recordStop(
  store: PolicyStore,
  name: PolicyName,
  candidate: PolicyCandidate,
  state: PolicyState,
  at: Date,
): Promise<void> {
  await store.recordAction(
    name,
    {
      at: at.toISOString(),
      target: candidate.target,
      problem: candidate.problems.join(', '),
      result: 'stopped',
      message: state.stopped?.reason ?? 'Stopped.',
      auditId: null,
    },
    at.getTime(),
  );
}

/**
 * Every policy once, unless a run is going on elsewhere (then null: that run acts on the same
 * sweep's findings). Paused: nothing runs, not even dry runs, so the page shows what was before.
 */
export async function runPolicies(services: Services): Promise<PolicyRunReport[] | null> {
  const store = policyStore(services);
  if (await store.paused()) return [];
  const lock = await takeLock(services.ownRedis, store.runLockKey(), RUN_LOCK_MS);
  if (!lock) return null;
  try {
    const reports: PolicyRunReport[] = [];
    for (const name of POLICY_NAMES) reports.push(await runPolicy(services, name));
    return reports;
  } finally {
    await lock.release();
  }
}
