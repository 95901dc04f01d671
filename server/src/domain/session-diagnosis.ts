import {
  type Fix,
  formatDuration,
  type SessionCode,
  type SessionLayout,
  type WebhookStatus,
} from '@cache-doctor/shared';
import { type GenerationLookup, isTerminalGenerationError } from './generation-file';
import { readSession, type SessionRecord } from './session-record';
import { detectLayout, type LayoutSetting, type SessionSnapshot } from './session-snapshot';

/** What Stripe says about the checkout session (null: Stripe could not tell us). */
export interface StripeCheckoutState {
  /** 'open' | 'complete' | 'expired' */
  status: string | null;
  /** 'paid' | 'unpaid' | 'no_payment_required' */
  paymentStatus: string | null;
}

export type SessionFix = Extract<Fix, 'fix-session' | 'generate'>;

/** 'info' is for OK: nothing wrong, but the message still says what state the session is in. */
export type SessionSeverity = 'info' | 'warning' | 'error';

export interface SessionDiagnosis {
  code: SessionCode;
  severity: SessionSeverity;
  message: string;
  fixes: SessionFix[];
  layout: SessionLayout;
  /** the webhook status the cache holds, when it holds a readable one */
  status?: WebhookStatus;
}

export interface DiagnoseSessionInput {
  snapshot: SessionSnapshot;
  stripe: StripeCheckoutState | null;
  now: Date;
  stuckAfterMs: number;
  layoutSetting: LayoutSetting;
  /**
   * What the generation API said about the session's file (`processing` with a `fileId`); absent
   * when nobody asked (e.g. the prompt stats, which read Redis alone).
   */
  generation?: GenerationLookup | undefined;
  /** GENERATION_STUCK_AFTER_MS: a file unfinished longer than this is stuck at the provider */
  generationStuckAfterMs?: number;
}

type Payment = 'paid' | 'unpaid' | 'unknown';

/** A 100% discount still entitles the user to what they checked out, so it counts as paid. */
function paymentOf(stripe: StripeCheckoutState | null): Payment {
  if (stripe?.paymentStatus == null) return 'unknown';
  return stripe.paymentStatus === 'paid' || stripe.paymentStatus === 'no_payment_required'
    ? 'paid'
    : 'unpaid';
}

/** Where a generation is running or done, generating again would make the user a second video. */
const isWaitingForGeneration = (record: SessionRecord) =>
  record.status === 'pending' || (record.status === 'processing' && record.fileId === null);

/** Milliseconds since the session last moved: status time, else creation, else the prompt's. */
function ageMs(record: SessionRecord, now: Date): number | null {
  for (const candidate of [record.statusTimestamp, record.createdAt, record.promptTimestamp]) {
    const time = candidate === null ? Number.NaN : Date.parse(candidate);
    if (!Number.isNaN(time)) return now.getTime() - time;
  }
  return null;
}

/**
 * A session with no readable time cannot be shown to be moving, so it counts as stuck: staff
 * then look at it instead of it waiting unseen for ever.
 */
const isStuck = (record: SessionRecord, now: Date, stuckAfterMs: number) => {
  const age = ageMs(record, now);
  return age === null || age > stuckAfterMs;
};

/** A span in words, at least a minute (ages here are minutes to days). */
const span = (ms: number) => formatDuration(Math.max(60, ms / 1000));

function describeUnpaid(stripe: StripeCheckoutState, record: SessionRecord): string {
  const why =
    stripe.status === 'expired'
      ? 'the checkout expired without payment'
      : stripe.status === 'open'
        ? 'the checkout is still open and unpaid'
        : 'Stripe has not received the payment yet (e.g. a bank payment still clearing)';
  const cached = record.status
    ? ` Yet the cache shows generation status "${record.status}": check the payment in Stripe before doing anything else.`
    : ' Nothing needs repairing; a video is never generated for an unpaid checkout.';
  return `Stripe says this session is not paid: ${why}.${cached}`;
}

/** 'generate' is offered only with Stripe's word that the user paid and a prompt to generate from. */
function withGenerate(fixes: SessionFix[], record: SessionRecord, payment: Payment): SessionFix[] {
  return payment === 'paid' && record.prompt !== null ? [...fixes, 'generate'] : fixes;
}

function generateAdvice(record: SessionRecord, payment: Payment): string {
  if (record.prompt === null) return 'There is no prompt to generate from; contact the customer.';
  if (payment === 'unknown')
    return 'Stripe could not confirm the payment, so generation is not offered; check it in Stripe.';
  return 'Ops: press "Generate video" to start the video the user paid for (support: ask ops to). Tell the customer their video is being made again.';
}

/**
 * A provider refusal (content policy, invalid prompt) fails again with the same prompt: what the
 * customer needs is to hear why, and a new prompt or a refund — not another paid attempt.
 */
function terminalAdvice(error: string): string {
  return `The generation API refused this prompt ("${error}"); generating again with the same prompt would fail the same way. Tell the customer their prompt was refused by the video provider and offer to take a new prompt or refund them (support: ask ops to arrange it).`;
}

/**
 * `processing` with a file id: what the generation API says decides. Failed is GENERATION_FAILED
 * (one new attempt offered unless the provider's error is terminal); running past the limit is
 * GENERATION_STUCK (no new attempt: the first may still finish, and the customer would get two);
 * anything else is OK, saying what was (or could not be) learned.
 */
function diagnoseGeneration(
  record: SessionRecord,
  input: DiagnoseSessionInput,
  payment: Payment,
): SessionDiagnosis | null {
  const lookup = input.generation;
  if (record.status !== 'processing' || record.fileId === null || !lookup) return null;
  if (lookup.kind === 'unavailable')
    return diagnosisOf(
      record,
      'OK',
      'info',
      `Generation started (file ${record.fileId}), but its state is unknown: ${lookup.reason}. Look again later; this is not a sign that anything is wrong.`,
    );
  const { file } = lookup;
  if (file.state === 'completed')
    return diagnosisOf(
      record,
      'OK',
      'info',
      `The generation API reports the video finished (file ${file.fileId}).`,
    );
  if (file.state === 'failed') {
    const error = file.error ?? 'no reason given';
    if (isTerminalGenerationError(file.error))
      return diagnosisOf(
        record,
        'GENERATION_FAILED',
        'error',
        `The video generation failed at the generation API: "${error}". The customer has no video. ${terminalAdvice(error)}`,
      );
    return diagnosisOf(
      record,
      'GENERATION_FAILED',
      'error',
      `The video generation failed at the generation API: "${error}". The customer has no video. ${
        record.prompt === null || payment !== 'paid'
          ? generateAdvice(record, payment)
          : 'Ops: press "Generate video" to start one new attempt (support: ask ops to). Tell the customer their video is being made again.'
      }`,
      withGenerate([], record, payment),
    );
  }
  const since = file.createdAt ?? record.statusTimestamp;
  const started = since === null ? Number.NaN : Date.parse(since);
  const limit = input.generationStuckAfterMs ?? 3_600_000;
  const age = input.now.getTime() - started;
  if (Number.isNaN(started) || age > limit)
    return diagnosisOf(
      record,
      'GENERATION_STUCK',
      'error',
      `The generation API has been working on file ${file.fileId} ${
        Number.isNaN(started) ? 'since an unknown time' : `for ${span(age)}`
      } (the limit is ${span(limit)}); the customer is still waiting. Starting another would risk a second paid video while this one may still finish: ask the generation provider about file ${file.fileId} (support: ask ops to), and tell the customer their video is delayed.`,
    );
  return diagnosisOf(
    record,
    'OK',
    'info',
    `The generation API is still making the video (file ${file.fileId}, started ${span(age)} ago); it counts as stuck after ${span(limit)}.`,
  );
}

/** A function of its own, not a closure made on every call: the stats diagnose every session in Redis. */
function diagnosisOf(
  record: SessionRecord,
  code: SessionCode,
  severity: SessionSeverity,
  message: string,
  fixes: SessionFix[] = [],
): SessionDiagnosis {
  return {
    code,
    severity,
    message,
    fixes,
    layout: record.layout,
    ...(record.status && { status: record.status }),
  };
}

/**
 * Diagnosis of one session. The first rule that matches wins:
 *  1. MALFORMED — every other rule reads these values, and a repair would merge into data nobody
 *     can read; a person has to look first.
 *  2. PAYMENT_NOT_COMPLETED — Stripe's "unpaid" outranks everything the cache says, including a
 *     missing webhook status: that is what an abandoned checkout looks like, and generating would
 *     give away unpaid work. No fixes: Fix session's message says "payment completed", which would
 *     be false.
 *  3. NOT_FOUND — none of the layout's keys exists.
 *  4. No status: WEBHOOK_MISSING when there is a prompt (the dropped webhook update, SPEC §1.2),
 *     else PROMPT_MISSING (nothing to generate from, nothing to fix).
 *  5. WEBHOOK_ERROR, then STUCK — the status says the user has no video; then, for `processing`
 *     with a file, GENERATION_FAILED / GENERATION_STUCK from what the generation API says.
 *  6. SESSION_MAPPING_MISSING (three-key, no `session:`), then PROMPT_MISSING — the status is fine
 *     or moving, but a record the app reads is gone.
 *  7. OK — completed, processing with a file, or pending/processing still within the stuck limit
 *     (reported as OK with what it is waiting for: there is no "in progress" code).
 * Fixes: 'fix-session' only where no status exists (WEBHOOK_MISSING), even when Stripe cannot be
 * asked (the message says so; the fix is undoable); 'generate' only when Stripe says paid, there is
 * a prompt and no generation is running (WEBHOOK_MISSING, WEBHOOK_ERROR, STUCK).
 */
export function diagnoseSession(
  input: DiagnoseSessionInput,
  /** the snapshot as read in its layout, when the caller needs it too (read once, not twice) */
  record: SessionRecord = readSession(input.snapshot, detectLayout(input.snapshot, input.layoutSetting)),
): SessionDiagnosis {
  const payment = paymentOf(input.stripe);

  if (record.issues.length > 0) {
    const details = record.issues.map((issue) => `${issue.key} ${issue.reason}`).join('; ');
    return diagnosisOf(
      record,
      'MALFORMED',
      'error',
      `A stored value is not what the app writes: ${details}. Nothing can be repaired automatically; compare it with the app's records and correct or delete it by hand.`,
    );
  }
  if (input.stripe && payment === 'unpaid') {
    return diagnosisOf(record, 'PAYMENT_NOT_COMPLETED', 'warning', describeUnpaid(input.stripe, record));
  }
  if (!record.present) {
    return payment === 'paid'
      ? diagnosisOf(
          record,
          'NOT_FOUND',
          'error',
          'Stripe says this session is paid, but Redis holds nothing for it: the records expired (after 30 days) or were never written. The prompt is lost; contact the customer.',
        )
      : diagnosisOf(
          record,
          'NOT_FOUND',
          'warning',
          'Redis holds nothing for this session: the records expired (after 30 days), were never written, or the id is wrong. Check the id in Stripe.',
        );
  }
  if (record.status === null) {
    if (record.prompt === null) {
      return diagnosisOf(
        record,
        'PROMPT_MISSING',
        'error',
        'There is no prompt and no webhook status for this session, so there is nothing to generate from or to fix. Check the payment in Stripe and contact the customer.',
      );
    }
    const paymentNote =
      payment === 'paid'
        ? 'Stripe says it is paid, but the webhook never recorded a status, so the user sees "File Not Found".'
        : 'The webhook never recorded a status, so the user sees "File Not Found". Stripe could not confirm the payment; check it before acting.';
    return diagnosisOf(
      record,
      'WEBHOOK_MISSING',
      'error',
      `${paymentNote} Ops: press "Generate video" to start the video they paid for, or "Mark as failed" to show them an error instead (they still get no video); support: ask ops to.`,
      withGenerate(['fix-session'], record, payment),
    );
  }
  if (record.status === 'error') {
    const reason = record.error ? `: "${record.error}"` : '';
    if (isTerminalGenerationError(record.error))
      return diagnosisOf(
        record,
        'WEBHOOK_ERROR',
        'error',
        `Generation failed${reason}. The user has no video. ${terminalAdvice(record.error as string)}`,
      );
    return diagnosisOf(
      record,
      'WEBHOOK_ERROR',
      'error',
      `Generation failed${reason}. The user has no video. ${generateAdvice(record, payment)}`,
      withGenerate([], record, payment),
    );
  }
  const waiting = isWaitingForGeneration(record);
  if (waiting && isStuck(record, input.now, input.stuckAfterMs)) {
    const age = ageMs(record, input.now);
    const since = age === null ? 'with no time recorded' : `for ${span(age)}`;
    const what = record.status === 'pending' ? 'waiting to start' : 'processing without a file';
    return diagnosisOf(
      record,
      'STUCK',
      'error',
      `Generation has been ${what} ${since} (the limit is ${span(input.stuckAfterMs)}). ${generateAdvice(record, payment)}`,
      withGenerate([], record, payment),
    );
  }
  const generation = diagnoseGeneration(record, input, payment);
  if (generation && generation.code !== 'OK') return generation;
  if (!record.hasLookup) {
    return diagnosisOf(
      record,
      'SESSION_MAPPING_MISSING',
      'warning',
      `The webhook status is "${record.status}" but the session lookup key (${input.snapshot.session.key}) is missing, so the user's page may not find the result. Ask engineering to restore it from the webhook record.`,
    );
  }
  if (record.prompt === null) {
    return diagnosisOf(
      record,
      'PROMPT_MISSING',
      'warning',
      `The webhook status is "${record.status}" but the prompt is gone (expired or deleted). Nothing to do unless the video has to be made again; then ask the customer for the prompt.`,
    );
  }
  if (waiting) {
    return diagnosisOf(
      record,
      'OK',
      'info',
      `Generation is ${record.status === 'pending' ? 'waiting to start' : 'starting'}; it counts as stuck after ${span(input.stuckAfterMs)}.`,
    );
  }
  if (generation) return generation;
  return diagnosisOf(
    record,
    'OK',
    'info',
    record.status === 'completed'
      ? 'The video is complete.'
      : `The video is being generated (file ${record.fileId}; its state at the generation API was not asked here).`,
  );
}
