import { OUTCOME_UNKNOWN_TEXT, type Staff } from '@cache-doctor/shared';
import { isOutcomeUnknown } from '../adapters/generation';
import {
  type FixBlock,
  GenerationLock,
  type GenerationLockHold,
  type LockOutcome,
  type UnknownStart,
} from '../adapters/generation-lock';
import { readSessionSnapshot } from '../adapters/session-store';
import type { GenerationLookup } from '../domain/generation-file';
import type { SessionDiagnosis, StripeCheckoutState } from '../domain/session-diagnosis';
import { planGenerationRequest } from '../domain/session-generation';
import { readSession, type SessionRecord } from '../domain/session-record';
import type { SessionSnapshot } from '../domain/session-snapshot';
import { planGenerationRecord } from '../domain/session-writes';
import { OWN_KEYS } from '../keys';
import { AppError, isAppError } from '../lib/app-error';
import type { Services } from './container';
import { readSessionGenerations } from './generation-files';
import { confirmSessionPlan, generatePreview } from './session-plans';
import {
  commitSessionPlan,
  diagnose,
  type KnownStripe,
  notOffered,
  readStripe,
  refusePlan,
  type StripeReading,
} from './session-repair';

export interface GenerateResult {
  sessionId: string;
  generationId: string;
  /** the audit entry of the write that recorded it; null when it was started earlier */
  auditId: string | null;
  /** 'started': this request started it (202); 'existing': it had been started already (200) */
  outcome: 'started' | 'existing';
  /** the failed generation this one replaces (GENERATION_FAILED), kept in the audit entry too */
  replacing: string | null;
}

export interface GenerateOptions {
  /** a new attempt although an earlier start's outcome is unknown: the second confirmation */
  retryUnknown?: boolean;
  /** the plan the person confirmed (SPEC §3): anything else answers PLAN_CHANGED before any call */
  planId?: string;
}

/**
 * A generation that is running or done: starting another would give the user a second video. A
 * `processing` file the generation API reports failed is none: the customer paid for a video and
 * gets one new attempt (then this holds again, for the new file).
 */
const existingGeneration = (record: SessionRecord, generation: GenerationLookup | undefined) => {
  if (record.fileId === null) return null;
  if (record.status === 'completed') return record.fileId;
  if (record.status !== 'processing') return null;
  return generation?.kind === 'known' && generation.file.state === 'failed' ? null : record.fileId;
};

async function readState(services: Services, snapshot: SessionSnapshot, stripe: StripeCheckoutState | null) {
  const generation = (await readSessionGenerations(services, [snapshot])).get(snapshot.sessionId);
  const diagnosis = diagnose(services, snapshot, stripe, generation);
  const record = readSession(snapshot, diagnosis.layout);
  return { diagnosis, record, generation, existing: existingGeneration(record, generation) };
}

const existingResult = (sessionId: string, generationId: string): GenerateResult => ({
  sessionId,
  generationId,
  auditId: null,
  outcome: 'existing',
  replacing: null,
});

function generationFailed(message: string, auditId: string | null): never {
  throw new AppError(
    'UPSTREAM_ERROR',
    `The generation API did not start the video: ${message}. Nothing was written to the session; try again later.`,
    { auditId },
  );
}

function outcomeUnknown(start: UnknownStart, startedNow: boolean): never {
  throw new AppError(
    'GENERATION_OUTCOME_UNKNOWN',
    startedNow
      ? `The generation API did not answer in time: ${OUTCOME_UNKNOWN_TEXT}. Nothing was written to the session, and Generate will not start another until someone confirms a new attempt.`
      : `An earlier start (${start.at}, by ${start.actorName ?? start.actor}) has an unknown outcome — the generation API may have started it. Starting again could make a second paid video; send { "retryUnknown": true } to start a new attempt anyway.`,
    { unknownStart: start, startedNow },
  );
}

export const lockOf = (services: Services, sessionId: string) =>
  new GenerationLock(
    services.ownRedis,
    services.keys.own(`${OWN_KEYS.generateLock}${sessionId}`),
    2 * services.config.generation.timeoutMs + 30_000,
  );

/**
 * Generate (SPEC §3, §6.4): only when Stripe says paid, and once per session. Idempotency has two
 * parts: the recorded `fileId` (a session already processing or done returns that generation) and
 * the session's generation lock, held while one request talks to the API, so concurrent requests
 * wait for it and return its generation instead of starting another.
 */
export async function generateVideo(
  services: Services,
  sessionId: string,
  actor: Staff,
  known: KnownStripe = {},
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  // before anything is read or written: without an API there is nothing to start
  assertConfigured(services);
  const [first, stripe] = await Promise.all([
    readSessionSnapshot(services.redis, services.keys, sessionId),
    readStripe(services, sessionId, known),
  ]);
  const state = await readState(services, first, stripe.state);
  const { existing, record } = state;
  if (existing) return existingResult(sessionId, existing);
  assertPaid(stripe, sessionId);
  // what this request decided on, when no plan was confirmed: checked again under the lock
  const planned = { confirmed: options.planId, decided: decidedPlan(services, first, state, options.planId) };
  // the failed generation a new attempt replaces: a lock still naming it may be taken over
  const failedFileId = record.status === 'processing' ? record.fileId : null;

  const lock = lockOf(services, sessionId);
  // A few rounds at most: wait for a holder, then (if it vanished without an outcome) take the lock.
  for (let round = 0; round < 3; round++) {
    const held = await lock.take();
    if (held) return runLockedGeneration(services, sessionId, actor, stripe.state, held, planned);
    const waited = await lock.wait();
    if (waited.kind === 'done' && waited.outcome.generationId !== failedFileId)
      return { ...existingResult(sessionId, waited.outcome.generationId), auditId: waited.outcome.auditId };
    if (waited.kind === 'failed') generationFailed(waited.message, null);
    if (waited.kind === 'unknown' && !options.retryUnknown) outcomeUnknown(waited.start, false);
    if (waited.kind === 'done' || waited.kind === 'unknown') {
      const taken = await lock.takeFrom(waited.value);
      if (taken) return runLockedGeneration(services, sessionId, actor, stripe.state, taken, planned);
    }
  }
  throw new AppError('CONFLICT', 'Could not take the generation lock for this session; look again shortly.');
}

function assertConfigured(services: Services): void {
  if (!services.generation.configured)
    throw new AppError(
      'GENERATION_NOT_CONFIGURED',
      'No generation API is configured (GENERATION_API_URL), so no video can be started; nothing was written. Ask an administrator to configure it.',
    );
}

function assertPaid(stripe: StripeReading, sessionId: string): void {
  if (stripe.error)
    throw new AppError(
      'UPSTREAM_ERROR',
      `Stripe could not be asked whether session ${sessionId} is paid (${stripe.error}); nothing was generated.`,
    );
  const paid =
    stripe.state?.paymentStatus === 'paid' || stripe.state?.paymentStatus === 'no_payment_required';
  if (paid) return;
  throw new AppError(
    'PAYMENT_NOT_COMPLETED',
    stripe.state
      ? `Stripe says session ${sessionId} is not paid (status ${stripe.state.status}, payment ${stripe.state.paymentStatus}); a video is never generated for an unpaid checkout.`
      : `Stripe has no checkout session ${sessionId}, so nothing shows it was paid; nothing was generated.`,
  );
}

/** Generate's plan for a snapshot — the request and the record it writes, with the plan's id — or its refusal (thrown). */
function planGenerate(
  services: Services,
  snapshot: SessionSnapshot,
  { diagnosis, record }: { diagnosis: SessionDiagnosis; record: SessionRecord },
) {
  const { sessionId } = snapshot;
  const request = planGenerationRequest(snapshot, diagnosis.layout, services.config.generation.configName);
  if (request.kind === 'malformed') refusePlan(request, sessionId);
  if (!diagnosis.fixes.includes('generate')) {
    if (!record.present)
      throw new AppError(
        'SESSION_NOT_FOUND',
        `Redis holds nothing for session ${sessionId}; there is no prompt to generate from.`,
      );
    notOffered('Generate video', diagnosis);
  }
  if (request.kind !== 'request') notOffered('Generate video', diagnosis);
  const preview = generatePreview(snapshot, diagnosis.layout, services.config.generation.configName);
  if (!preview) notOffered('Generate video', diagnosis);
  // `start` is what the API is sent; `request` its config, as the preview shows it
  return { start: request.request, ...preview };
}

/**
 * `POST .../generate` with `dryRun`: the request Generate would send and the record it would
 * write, with the plan's id; or, when a generation is running or done, that one (nothing to plan).
 */
export async function previewGenerate(services: Services, sessionId: string) {
  assertConfigured(services);
  const [snapshot, stripe] = await Promise.all([
    readSessionSnapshot(services.redis, services.keys, sessionId),
    readStripe(services, sessionId),
  ]);
  const state = await readState(services, snapshot, stripe.state);
  if (state.existing)
    return {
      sessionId,
      existingGenerationId: state.existing,
      writes: [],
      request: null,
      planId: null,
      applied: false,
    };
  assertPaid(stripe, sessionId);
  const { writes, request, planId } = planGenerate(services, snapshot, state);
  return { sessionId, existingGenerationId: null, writes, request, planId, applied: false };
}

/**
 * The plan a request without a `planId` decided on from its first read; null when that read
 * offers none (the read under the lock then answers with the refusal).
 */
function decidedPlan(
  services: Services,
  snapshot: SessionSnapshot,
  state: { diagnosis: SessionDiagnosis; record: SessionRecord },
  confirmed: string | undefined,
): string | null {
  if (confirmed !== undefined) return null;
  try {
    return planGenerate(services, snapshot, state).planId;
  } catch {
    return null;
  }
}

/**
 * A session that changed between this request's first read and the lock (a "Mark as failed" wrote
 * its status meanwhile) is not generated for: nobody decided to start a video for it as it is now.
 */
function changedWhileWaiting(sessionId: string, diagnosis: SessionDiagnosis): never {
  throw new AppError(
    'CONFLICT',
    `Session ${sessionId} changed while this request waited for its generation lock (now ${diagnosis.code}: ${diagnosis.message}); no video was started and nothing was written. Look at the session again before generating.`,
    { diagnosis: diagnosis.code },
  );
}

async function runLockedGeneration(
  services: Services,
  sessionId: string,
  actor: Staff,
  stripe: StripeCheckoutState | null,
  lock: GenerationLockHold,
  { confirmed, decided }: { confirmed: string | undefined; decided: string | null },
): Promise<GenerateResult> {
  let started: string | null = null;
  try {
    // Re-read under the lock: a request that held it before us may have recorded a generation.
    const snapshot = await readSessionSnapshot(services.redis, services.keys, sessionId);
    const { diagnosis, record, existing } = await readState(services, snapshot, stripe);
    if (existing) {
      await lock.release();
      return existingResult(sessionId, existing);
    }
    // the plan confirmed is checked here, under the lock and before the paid call
    const { start, planId } = confirmSessionPlan(
      confirmed,
      'generate',
      sessionId,
      () => planGenerate(services, snapshot, { diagnosis, record }),
      (planned) => planned.planId,
    );
    if (decided !== null && planId !== decided) changedWhileWaiting(sessionId, diagnosis);
    const replacing = diagnosis.code === 'GENERATION_FAILED' ? record.fileId : null;
    const again = replacing ? ` (again: generation ${replacing} failed)` : '';

    let file: { id: string };
    try {
      file = await services.generation.startVideo(start);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isOutcomeUnknown(error)) {
        const auditId = await recordStartFailure(
          services,
          sessionId,
          actor,
          `Generation start${again} has an unknown outcome (${message}): the generation API may have started it`,
        );
        const start: UnknownStart = {
          at: new Date().toISOString(),
          actor: actor.id,
          actorName: actor.name,
          auditId,
          replacing,
        };
        await lock.unknown(start);
        outcomeUnknown(start, true);
      }
      const auditId = await recordStartFailure(
        services,
        sessionId,
        actor,
        `The generation API refused to start the video${again}: ${message}`,
      );
      await lock.failed(message);
      generationFailed(message, auditId);
    }
    started = file.id;
    const { auditId } = await commitSessionPlan(
      services,
      sessionId,
      snapshot,
      (current) => {
        const plan = planGenerationRecord(current, diagnose(services, current, stripe).layout, {
          fileId: file.id,
          now: new Date(),
        });
        if (plan.kind !== 'writes') refusePlan(plan, sessionId);
        return plan;
      },
      {
        actor,
        action: 'generate',
        message: replacing
          ? `Started generation ${file.id}, replacing failed generation ${replacing}`
          : `Started generation ${file.id}`,
      },
    );
    const outcome: LockOutcome = { generationId: file.id, auditId };
    await lock.done(outcome);
    return { sessionId, ...outcome, outcome: 'started', replacing };
  } catch (error) {
    if (started !== null) {
      // The API started a video we could not record: the lock keeps saying so, or a later click
      // would start a second one.
      await lock.unrecorded(started).catch(() => {});
    } else if (!isAppError(error, 'UPSTREAM_ERROR', 'GENERATION_OUTCOME_UNKNOWN')) {
      await lock.release().catch(() => {});
    }
    throw error;
  }
}

/**
 * A start that did not succeed is audited with nothing written: no error text of Cache Doctor's or
 * of a failed call ever lands in the customer's record (SPEC §3). Best effort: the answer still
 * says what happened.
 */
async function recordStartFailure(
  services: Services,
  sessionId: string,
  actor: Staff,
  message: string,
): Promise<string | null> {
  try {
    const audit = services.audit.draft(actor, {
      action: 'generate',
      target: sessionId,
      result: 'failed',
      message,
    });
    const result = await services.writer.commit({ writes: [], audit });
    return result.kind === 'committed' ? (result.entry?.id ?? null) : null;
  } catch {
    return null;
  }
}

/**
 * What the session's generation lock says that keeps "Mark as failed" from writing (a start in
 * flight, just made, or of unknown outcome), for the session page and Fix's preview; null when none.
 */
export function generationFixBlock(services: Services, sessionId: string): Promise<FixBlock | null> {
  return lockOf(services, sessionId).fixBlock();
}
