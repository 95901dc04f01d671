import { type FailedEvent, FIX_SESSION_ERROR_MESSAGE, UNPROCESSED_CODES } from '@cache-doctor/shared';
import type { GenerationLookup } from './generation-file';
import { diagnoseSession, type SessionDiagnosis, type StripeCheckoutState } from './session-diagnosis';
import { readSession } from './session-record';
import type { LayoutSetting, SessionSnapshot } from './session-snapshot';

/**
 * The session sweep (SPEC §6.3, §5 webhook success rate): Stripe's completed checkout sessions put
 * beside what Redis holds for each, diagnosed with the same rules as one session's page.
 */

/** What the sweep needs from one checkout session of Stripe's list (`adapters/stripe-facts.ts` reads it). */
export interface CheckoutFacts {
  sessionId: string;
  /** unix seconds */
  created: number;
  amountTotal: number | null;
  currency: string | null;
  customerEmail: string | null;
  stripe: StripeCheckoutState;
}

/** session id → the failed events about it, oldest first. */
export function eventIdsBySession(events: readonly FailedEvent[]): Map<string, string[]> {
  const linked = new Map<string, string[]>();
  for (const event of [...events].sort((a, b) => a.created - b.created)) {
    if (event.sessionId === null) continue;
    linked.set(event.sessionId, [...(linked.get(event.sessionId) ?? []), event.id]);
  }
  return linked;
}

export interface SweepRules {
  now: Date;
  stuckAfterMs: number;
  layoutSetting: LayoutSetting;
  /** GENERATION_STUCK_AFTER_MS */
  generationStuckAfterMs?: number;
}

export interface SweptSession {
  facts: CheckoutFacts;
  diagnosis: SessionDiagnosis;
  /** paid, and Redis shows the customer has no video and none on its way (the list's rows) */
  unprocessed: boolean;
  /** staff marked it failed ("Mark as failed"): the customer sees an error, and still has no video */
  markedFailed: boolean;
  /** counts in the webhook success rate: Stripe says paid and Redis holds the prompt data */
  paidWithPrompt: boolean;
  /** Stripe says paid (the session lookup success rate's denominator) */
  paid: boolean;
  /** the generation the app started for it (its records' `fileId`), if any */
  fileId: string | null;
}

const UNPROCESSED: ReadonlySet<string> = new Set(UNPROCESSED_CODES);

const isPaid = (stripe: StripeCheckoutState) =>
  stripe.paymentStatus === 'paid' || stripe.paymentStatus === 'no_payment_required';

/**
 * One completed checkout session against its Redis records (and, for a started generation, what
 * the generation API said about its file). Unprocessed: paid, and no video made or on its way —
 * WEBHOOK_MISSING, STUCK, WEBHOOK_ERROR, GENERATION_FAILED, GENERATION_STUCK. A session staff
 * marked failed stays listed (marked failed, no video) until a generation is recorded; it is not
 * OK in the success rate either, because the webhook still failed.
 */
export function sweepSession(
  snapshot: SessionSnapshot,
  facts: CheckoutFacts,
  rules: SweepRules,
  generation?: GenerationLookup,
): SweptSession {
  const diagnosis = diagnoseSession({ snapshot, stripe: facts.stripe, ...rules, generation });
  const record = readSession(snapshot, diagnosis.layout);
  const markedFailed = diagnosis.code === 'WEBHOOK_ERROR' && record.error === FIX_SESSION_ERROR_MESSAGE;
  const paid = isPaid(facts.stripe);
  return {
    facts,
    diagnosis,
    unprocessed: paid && UNPROCESSED.has(diagnosis.code),
    markedFailed,
    paidWithPrompt: paid && typeof record.promptRecord?.prompt === 'string',
    paid,
    fileId: record.fileId,
  };
}

/**
 * SPEC §5: sessions diagnosed OK / paid sessions with prompt data (webhook success rate), and
 * paid sessions with prompt data / paid sessions (session lookup success rate).
 */
export interface WebhookTally {
  paidWithPrompt: number;
  ok: number;
  paid: number;
}

export function tallyWebhooks(swept: readonly SweptSession[], into: WebhookTally): WebhookTally {
  for (const session of swept) {
    if (session.paid) into.paid += 1;
    if (!session.paidWithPrompt) continue;
    into.paidWithPrompt += 1;
    if (session.diagnosis.code === 'OK') into.ok += 1;
  }
  return into;
}

export const webhookSuccessRate = (tally: WebhookTally): number | null =>
  tally.paidWithPrompt > 0 ? tally.ok / tally.paidWithPrompt : null;
