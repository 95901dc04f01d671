import { randomBytes } from 'node:crypto';
import type { Role, SessionLayout } from '@cache-doctor/shared';
import type { Redis } from 'ioredis';
import type { CommitResult, PlannedWrite } from '../adapters/atomic-write';
import { parseJson } from '../domain/cached-value';
import {
  diagnoseSession,
  type SessionDiagnosis,
  type StripeCheckoutState,
} from '../domain/session-diagnosis';
import { type GenerationRequest, planGenerationRequest } from '../domain/session-generation';
import { readSession, type SessionRecord } from '../domain/session-record';
import { type KeyState, rawString, type SessionSnapshot } from '../domain/session-snapshot';
import {
  planFixSession,
  planGenerationFailure,
  planGenerationRecord,
  type SessionPlan,
  type SessionWrite,
  type WrittenStatus,
} from '../domain/session-writes';
import type { Keys } from '../keys';
import { HttpError } from '../lib/http-error';
import type { Services } from './container';

/**
 * Checkout-session use cases (SPEC §1.2, §3, §6.3): inspect, fix, generate. The same functions
 * serve the HTTP routes and the CLI; every write goes through the atomic writer with its audit
 * entry.
 */

/** Who acts: a signed-in staff member, or `cli:<os user>` for the command line. */
export interface Actor {
  name: string;
  role: Role;
}

export interface KeyView {
  key: string;
  exists: boolean;
  /** seconds left; -1 no expiry; -2 absent */
  ttl: number;
  /** the value parsed as JSON; null when absent or not JSON */
  value: unknown;
  /** the value exactly as stored; null when absent (or not a string value) */
  raw: string | null;
}

export interface StripeView {
  status: string | null;
  paymentStatus: string | null;
}

export interface WriteView {
  key: string;
  before: string | null;
  after: string;
  ttlSeconds: number;
}

export interface SessionInspection {
  sessionId: string;
  layout: SessionLayout;
  keys: { webhook: KeyView; session: KeyView; prompt: KeyView };
  /** null when Stripe has no such checkout session, or could not be asked (see `stripeNote`) */
  stripe: StripeView | null;
  /** why `stripe` is null, in words; null when Stripe answered */
  stripeNote: string | null;
  diagnosis: SessionDiagnosis;
  /** the writes each offered action would make, for the confirm step */
  previews: {
    fixSession: WriteView[] | null;
    generate: { writes: WriteView[]; request: GenerationRequest['config'] } | null;
  };
}

/** Placeholder for the id the generation API will hand out, in the generate preview. */
export const NEW_GENERATION_ID = '<new generation id>';

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * The three keys in one pipelined round trip (GET + TTL each). A key holding another Redis type
 * answers GET with WRONGTYPE: it exists (TTL says so) with no string value, which the domain
 * reads as malformed.
 */
export async function readSessionSnapshot(
  redis: Redis,
  keys: Keys,
  sessionId: string,
): Promise<SessionSnapshot> {
  const names = [keys.webhook(sessionId), keys.session(sessionId), keys.prompt(sessionId)] as const;
  const pipeline = redis.pipeline();
  for (const key of names) pipeline.get(key).ttl(key);
  const replies = (await pipeline.exec()) ?? [];
  const states = names.map((key, index): KeyState => {
    const [getError, value] = replies[index * 2] ?? [null, null];
    const [ttlError, ttl] = replies[index * 2 + 1] ?? [null, -2];
    if (ttlError) throw ttlError;
    if (getError && !/WRONGTYPE/.test(getError.message)) throw getError;
    const seconds = Number(ttl);
    return {
      key,
      exists: seconds !== -2,
      ttl: seconds,
      raw: getError ? null : ((value as string | null) ?? null),
    };
  }) as [KeyState, KeyState, KeyState];
  return { sessionId, webhook: states[0], session: states[1], prompt: states[2] };
}

/**
 * Many sessions' keys in one pipelined round trip of three MGETs (the sweep's batches). TTLs are
 * not read: diagnosis does not need them, and every repair re-reads its session with
 * `readSessionSnapshot` before writing.
 */
export async function readSessionSnapshots(
  redis: Redis,
  keys: Keys,
  sessionIds: readonly string[],
): Promise<SessionSnapshot[]> {
  if (sessionIds.length === 0) return [];
  const names = {
    webhook: sessionIds.map((id) => keys.webhook(id)),
    session: sessionIds.map((id) => keys.session(id)),
    prompt: sessionIds.map((id) => keys.prompt(id)),
  };
  const replies =
    (await redis.pipeline().mget(names.webhook).mget(names.session).mget(names.prompt).exec()) ?? [];
  const [webhooks, sessions, prompts] = replies.map(([error, values]) => {
    if (error) throw error;
    return values as (string | null)[];
  }) as [(string | null)[], (string | null)[], (string | null)[]];
  const state = (key: string, raw: string | null | undefined): KeyState => ({
    key,
    exists: raw != null,
    ttl: raw == null ? -2 : -1,
    raw: raw ?? null,
  });
  return sessionIds.map((sessionId, index) => ({
    sessionId,
    webhook: state(names.webhook[index] as string, webhooks[index]),
    session: state(names.session[index] as string, sessions[index]),
    prompt: state(names.prompt[index] as string, prompts[index]),
  }));
}

interface StripeReading {
  state: StripeCheckoutState | null;
  /** Stripe answered that it has no such session */
  missing: boolean;
  /** Stripe could not be asked */
  error: string | null;
}

/**
 * What a repair may be told instead of asking Stripe itself: the sweep has just read the session
 * from Stripe's list, and a call per session is what the sweep exists to avoid.
 */
export interface KnownStripe {
  stripe?: StripeCheckoutState;
}

/** Never throws: a Stripe outage must not hide what Redis holds. */
async function readStripe(
  services: Services,
  sessionId: string,
  known: KnownStripe = {},
): Promise<StripeReading> {
  if (known.stripe) return { state: known.stripe, missing: false, error: null };
  try {
    const session = await services.stripe.getCheckoutSession(sessionId);
    if (!session) return { state: null, missing: true, error: null };
    return {
      state: { status: session.status ?? null, paymentStatus: session.payment_status ?? null },
      missing: false,
      error: null,
    };
  } catch (error) {
    return { state: null, missing: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function stripeNoteOf(reading: StripeReading): string | null {
  if (reading.error)
    return `Stripe could not be asked about this session (${reading.error}); the payment is unknown.`;
  if (reading.missing)
    return 'Stripe has no checkout session with this id (wrong id, or another Stripe account or mode).';
  return null;
}

function diagnose(services: Services, snapshot: SessionSnapshot, stripe: StripeCheckoutState | null) {
  return diagnoseSession({
    snapshot,
    stripe,
    now: new Date(),
    stuckAfterMs: services.config.stuckAfterMs,
    layoutSetting: services.config.sessionLayout,
  });
}

function keyView(state: KeyState): KeyView {
  const raw = rawString(state);
  return {
    key: state.key,
    exists: state.exists,
    ttl: state.ttl,
    value: raw === null ? null : (parseJson(raw) ?? null),
    raw,
  };
}

const writeViews = (writes: readonly SessionWrite[]): WriteView[] =>
  writes.map(({ key, before, after, ttlSeconds }) => ({ key, before, after, ttlSeconds }));

function previewsOf(snapshot: SessionSnapshot, diagnosis: SessionDiagnosis): SessionInspection['previews'] {
  const now = new Date();
  const fix = diagnosis.fixes.includes('fix-session')
    ? planFixSession(snapshot, diagnosis.layout, now)
    : null;
  let generate: SessionInspection['previews']['generate'] = null;
  if (diagnosis.fixes.includes('generate')) {
    const request = planGenerationRequest(snapshot, diagnosis.layout);
    const record = planGenerationRecord(snapshot, diagnosis.layout, { fileId: NEW_GENERATION_ID, now });
    if (request.kind === 'request' && record.kind === 'writes')
      generate = { writes: writeViews(record.writes), request: request.request.config };
  }
  return { fixSession: fix?.kind === 'writes' ? writeViews(fix.writes) : null, generate };
}

/**
 * `GET /api/sessions/:sessionId`: Redis (one pipeline) and Stripe in parallel, one round. Stripe
 * missing or down still answers, with `stripe: null` and a note.
 */
export async function inspectSession(services: Services, sessionId: string): Promise<SessionInspection> {
  const [snapshot, stripe] = await Promise.all([
    readSessionSnapshot(services.redis, services.keys, sessionId),
    readStripe(services, sessionId),
  ]);
  const diagnosis = diagnose(services, snapshot, stripe.state);
  return {
    sessionId,
    layout: diagnosis.layout,
    keys: {
      webhook: keyView(snapshot.webhook),
      session: keyView(snapshot.session),
      prompt: keyView(snapshot.prompt),
    },
    stripe: stripe.state,
    stripeNote: stripeNoteOf(stripe),
    diagnosis,
    previews: previewsOf(snapshot, diagnosis),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

/** How often a plan is re-read and re-planned when someone wrote between read and commit. */
const MAX_COMMIT_ATTEMPTS = 5;

const toPlanned = (writes: readonly SessionWrite[]): PlannedWrite[] =>
  writes.map(({ key, before, after, ttlSeconds }) => ({ key, before, after, ttlSeconds }));

function auditEntry(
  services: Services,
  actor: Actor,
  action: string,
  target: string,
  result: 'applied' | 'failed',
  message: string,
) {
  return {
    id: services.audit.newId(),
    at: new Date().toISOString(),
    actor: actor.name,
    role: actor.role,
    action,
    target,
    result,
    message,
  };
}

/** The refusals every repair shares, from the plan's kind. */
function refusePlan(plan: Exclude<SessionPlan, { kind: 'writes' }>, sessionId: string): never {
  switch (plan.kind) {
    case 'malformed':
      throw new HttpError(
        409,
        'SESSION_MALFORMED',
        `A stored value is not what the app writes (${plan.issues.map((issue) => `${issue.key} ${issue.reason}`).join('; ')}); nothing was written. Correct it by hand first.`,
        { issues: plan.issues },
      );
    case 'status-exists':
      throw new HttpError(
        409,
        'STATUS_EXISTS',
        `Session ${sessionId} already has the status "${plan.status}"; Fix session never overwrites a status. Nothing was written.`,
        { status: plan.status },
      );
    case 'not-found':
      throw new HttpError(
        404,
        'SESSION_NOT_FOUND',
        `Redis holds nothing for session ${sessionId}; there is nothing to fix.`,
      );
  }
}

function notOffered(action: 'Fix session' | 'Generate video', diagnosis: SessionDiagnosis): never {
  if (diagnosis.code === 'PAYMENT_NOT_COMPLETED')
    throw new HttpError(409, 'PAYMENT_NOT_COMPLETED', `${action} is not offered: ${diagnosis.message}`);
  throw new HttpError(
    409,
    'ACTION_NOT_AVAILABLE',
    `${action} is not offered for a session diagnosed ${diagnosis.code}: ${diagnosis.message}`,
    { diagnosis: diagnosis.code },
  );
}

/**
 * Commits `planOf(snapshot)` for the session, re-reading and re-planning when the writer reports
 * that a key changed in between; `planOf` throws for refusals (e.g. a status arrived meanwhile).
 */
async function commitSessionPlan(
  services: Services,
  sessionId: string,
  first: SessionSnapshot,
  planOf: (snapshot: SessionSnapshot) => { writes: SessionWrite[]; written: WrittenStatus },
  entry: () => Parameters<Services['writer']['commit']>[1],
): Promise<{
  result: Extract<CommitResult, { kind: 'committed' }>;
  written: WrittenStatus;
  writes: SessionWrite[];
}> {
  let snapshot = first;
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const plan = planOf(snapshot);
    const result = await services.writer.commit(toPlanned(plan.writes), entry());
    if (result.kind === 'committed') return { result, written: plan.written, writes: plan.writes };
    snapshot = await readSessionSnapshot(services.redis, services.keys, sessionId);
  }
  throw new HttpError(
    409,
    'CONFLICT',
    `Session ${sessionId} kept changing while we tried to write it (${MAX_COMMIT_ATTEMPTS} attempts); nothing was written. Look at it again.`,
  );
}

export interface FixResult {
  sessionId: string;
  layout: SessionLayout;
  /** the status fields written */
  status: WrittenStatus;
  auditId: string;
  writes: WriteView[];
}

/**
 * Fix session (SPEC §3): the error status, only where no status exists, merged into what is
 * there. A status arriving between read and write makes the commit stale; the re-read then
 * refuses with 409 STATUS_EXISTS.
 */
export async function fixSession(
  services: Services,
  sessionId: string,
  actor: Actor,
  known: KnownStripe = {},
): Promise<FixResult> {
  const [first, stripe] = await Promise.all([
    readSessionSnapshot(services.redis, services.keys, sessionId),
    readStripe(services, sessionId, known),
  ]);
  let layout: SessionLayout = 'session-only';
  const { result, written, writes } = await commitSessionPlan(
    services,
    sessionId,
    first,
    (snapshot) => {
      const diagnosis = diagnose(services, snapshot, stripe.state);
      layout = diagnosis.layout;
      const plan = planFixSession(snapshot, layout, new Date());
      if (plan.kind !== 'writes') refusePlan(plan, sessionId);
      if (!diagnosis.fixes.includes('fix-session')) notOffered('Fix session', diagnosis);
      return plan;
    },
    () =>
      auditEntry(services, actor, 'fix-session', sessionId, 'applied', 'Fix session: wrote the error status'),
  );
  return { sessionId, layout, status: written, auditId: result.entry.id, writes: writeViews(writes) };
}

// ---------------------------------------------------------------------------------------------
// Generate

export interface GenerateResult {
  sessionId: string;
  generationId: string;
  /** the audit entry of the write that recorded it; null when it was started earlier */
  auditId: string | null;
  /** 'started': this request started it (202); 'existing': it had been started already (200) */
  outcome: 'started' | 'existing';
}

/** Lock values: held while one request talks to the API; then the outcome, for requests waiting. */
const RUNNING = 'running:';
const DONE = 'done:';
const FAILED = 'failed:';
/** What a finished generation's lock keeps, for requests that waited on it. */
const DONE_HOLD_MS = 10 * 60_000;
/**
 * A failure is kept this long so requests that queued behind it, or a burst of clicks, get the
 * same answer instead of each calling the API again (no retry storm); later, a retry is allowed.
 */
const FAILED_HOLD_MS = 3_000;
const WAIT_POLL_MS = 25;

/** Replaces the lock's value only while it still holds ours (it may have expired and moved on). */
const REPLACE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return false`;

/** Deletes a lock only while it still holds the owner's token (it may have expired and moved on). */
export const DELETE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

const lockTtlMs = (services: Services) => 2 * services.config.upstreamTimeoutMs + 30_000;

/** A generation that is running or done: starting another would give the user a second video. */
const existingGeneration = (record: SessionRecord) =>
  record.fileId !== null && (record.status === 'processing' || record.status === 'completed')
    ? record.fileId
    : null;

function recordOf(services: Services, snapshot: SessionSnapshot, stripe: StripeCheckoutState | null) {
  const diagnosis = diagnose(services, snapshot, stripe);
  return { diagnosis, record: readSession(snapshot, diagnosis.layout) };
}

interface LockOutcome {
  generationId: string;
  auditId: string | null;
}

type Waited = { kind: 'done'; outcome: LockOutcome } | { kind: 'failed'; message: string } | { kind: 'free' };

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits while another request holds the lock, then says how it ended. */
async function waitForLock(services: Services, lockKey: string): Promise<Waited> {
  const deadline = Date.now() + lockTtlMs(services) + 1_000;
  while (Date.now() < deadline) {
    const value = await services.redis.get(lockKey);
    if (value === null) return { kind: 'free' };
    if (value.startsWith(DONE))
      return { kind: 'done', outcome: JSON.parse(value.slice(DONE.length)) as LockOutcome };
    if (value.startsWith(FAILED)) return { kind: 'failed', message: value.slice(FAILED.length) };
    await delay(WAIT_POLL_MS);
  }
  throw new HttpError(
    409,
    'CONFLICT',
    'Another generation request for this session is still running; look again shortly.',
  );
}

function generationFailed(message: string, auditId: string | null): never {
  throw new HttpError(
    502,
    'UPSTREAM_ERROR',
    `The generation API did not start the video: ${message}. The session now shows this error; try again later.`,
    { auditId },
  );
}

/**
 * Generate (SPEC §3, §6.4): only when Stripe says paid, and once per session. Idempotency has two
 * parts: the recorded `fileId` (a session already processing or done returns that generation) and
 * a lock under Cache Doctor's own prefix (SET NX PX) held while one request talks to the API, so
 * concurrent requests wait for it and return its generation instead of starting another.
 */
export async function generateVideo(
  services: Services,
  sessionId: string,
  actor: Actor,
  known: KnownStripe = {},
): Promise<GenerateResult> {
  const [first, stripe] = await Promise.all([
    readSessionSnapshot(services.redis, services.keys, sessionId),
    readStripe(services, sessionId, known),
  ]);
  const existing = existingGeneration(recordOf(services, first, stripe.state).record);
  if (existing) return { sessionId, generationId: existing, auditId: null, outcome: 'existing' };
  assertPaid(stripe, sessionId);

  const lockKey = services.keys.own(`lock:generate:${sessionId}`);
  const token = `${RUNNING}${randomBytes(12).toString('hex')}`;
  // Two rounds at most: wait for a holder, then (if it vanished without an outcome) take the lock.
  for (let round = 0; round < 3; round++) {
    const acquired = await services.redis.set(lockKey, token, 'PX', lockTtlMs(services), 'NX');
    if (acquired === 'OK')
      return runLockedGeneration(services, sessionId, actor, stripe.state, lockKey, token);
    const waited = await waitForLock(services, lockKey);
    if (waited.kind === 'done') return { sessionId, ...waited.outcome, outcome: 'existing' };
    if (waited.kind === 'failed') generationFailed(waited.message, null);
  }
  throw new HttpError(
    409,
    'CONFLICT',
    'Could not take the generation lock for this session; look again shortly.',
  );
}

function assertPaid(stripe: StripeReading, sessionId: string): void {
  if (stripe.error)
    throw new HttpError(
      502,
      'UPSTREAM_ERROR',
      `Stripe could not be asked whether session ${sessionId} is paid (${stripe.error}); nothing was generated.`,
    );
  const paid =
    stripe.state?.paymentStatus === 'paid' || stripe.state?.paymentStatus === 'no_payment_required';
  if (paid) return;
  throw new HttpError(
    409,
    'PAYMENT_NOT_COMPLETED',
    stripe.state
      ? `Stripe says session ${sessionId} is not paid (status ${stripe.state.status}, payment ${stripe.state.paymentStatus}); a video is never generated for an unpaid checkout.`
      : `Stripe has no checkout session ${sessionId}, so nothing shows it was paid; nothing was generated.`,
  );
}

async function runLockedGeneration(
  services: Services,
  sessionId: string,
  actor: Actor,
  stripe: StripeCheckoutState | null,
  lockKey: string,
  token: string,
): Promise<GenerateResult> {
  const finish = (value: string, holdMs: number) =>
    services.redis.eval(REPLACE_IF_OWNER, 1, lockKey, token, value, String(holdMs));
  const release = () => services.redis.eval(DELETE_IF_OWNER, 1, lockKey, token);

  let started: string | null = null;
  try {
    // Re-read under the lock: a request that held it before us may have recorded a generation.
    const snapshot = await readSessionSnapshot(services.redis, services.keys, sessionId);
    const { diagnosis, record } = recordOf(services, snapshot, stripe);
    const existing = existingGeneration(record);
    if (existing) {
      await release();
      return { sessionId, generationId: existing, auditId: null, outcome: 'existing' };
    }
    const request = planGenerationRequest(snapshot, diagnosis.layout);
    if (request.kind === 'malformed') refusePlan(request, sessionId);
    if (!diagnosis.fixes.includes('generate')) {
      if (!record.present)
        throw new HttpError(
          404,
          'SESSION_NOT_FOUND',
          `Redis holds nothing for session ${sessionId}; there is no prompt to generate from.`,
        );
      notOffered('Generate video', diagnosis);
    }
    if (request.kind !== 'request') notOffered('Generate video', diagnosis);

    let file: { id: string };
    try {
      file = await services.generation.startVideo(request.request);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const auditId = await recordFailure(services, sessionId, actor, stripe, snapshot, message);
      await finish(`${FAILED}${message}`, FAILED_HOLD_MS);
      generationFailed(message, auditId);
    }
    started = file.id;
    const { result } = await commitSessionPlan(
      services,
      sessionId,
      snapshot,
      (current) => {
        const plan = planGenerationRecord(current, recordOf(services, current, stripe).diagnosis.layout, {
          fileId: file.id,
          now: new Date(),
        });
        if (plan.kind !== 'writes') refusePlan(plan, sessionId);
        return plan;
      },
      () => auditEntry(services, actor, 'generate', sessionId, 'applied', `Started generation ${file.id}`),
    );
    const outcome: LockOutcome = { generationId: file.id, auditId: result.entry.id };
    await finish(`${DONE}${JSON.stringify(outcome)}`, DONE_HOLD_MS);
    return { sessionId, ...outcome, outcome: 'started' };
  } catch (error) {
    if (started !== null) {
      // The API started a video we could not record: keep the lock saying so, or the next click
      // would start a second one.
      await finish(`${DONE}${JSON.stringify({ generationId: started, auditId: null })}`, DONE_HOLD_MS).catch(
        () => {},
      );
    } else if (!(error instanceof HttpError && error.code === 'UPSTREAM_ERROR')) {
      await release().catch(() => {});
    }
    throw error;
  }
}

/** The API refused: the session gets an `error` status with its message, so the user sees why. */
async function recordFailure(
  services: Services,
  sessionId: string,
  actor: Actor,
  stripe: StripeCheckoutState | null,
  snapshot: SessionSnapshot,
  message: string,
): Promise<string | null> {
  try {
    const { result } = await commitSessionPlan(
      services,
      sessionId,
      snapshot,
      (current) => {
        const layout = recordOf(services, current, stripe).diagnosis.layout;
        const plan = planGenerationFailure(current, layout, { message, now: new Date() });
        if (plan.kind !== 'writes') refusePlan(plan, sessionId);
        return plan;
      },
      () =>
        auditEntry(services, actor, 'generate', sessionId, 'failed', `The generation API failed: ${message}`),
    );
    return result.entry.id;
  } catch {
    // Recording is best effort: the answer still says what the API said.
    return null;
  }
}
