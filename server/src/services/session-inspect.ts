import { type GenerationView, OUTCOME_UNKNOWN_TEXT, type SessionLayout } from '@cache-doctor/shared';
import type { FixBlock, UnknownStart } from '../adapters/generation-lock';
import { readSessionSnapshot } from '../adapters/session-store';
import { parseJson } from '../domain/cached-value';
import { type GenerationLookup, generationView } from '../domain/generation-file';
import type { SessionDiagnosis } from '../domain/session-diagnosis';
import type { GenerationRequest } from '../domain/session-generation';
import { type KeyState, rawString, type SessionSnapshot } from '../domain/session-snapshot';
import type { SessionWrite } from '../domain/session-writes';
import { planFixSession } from '../domain/session-writes';
import type { Services } from './container';
import { readSessionGenerations } from './generation-files';
import { generationFixBlock } from './session-generate';
import { fixPlanId, generatePreview } from './session-plans';
import { diagnose, fixBlockedError, readStripe, type StripeReading } from './session-repair';

/** `GET /api/sessions/:sessionId` (SPEC §6.3): what Redis and Stripe hold, the diagnosis, the offered writes. */

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

export interface SessionInspection {
  sessionId: string;
  layout: SessionLayout;
  keys: { webhook: KeyView; session: KeyView; prompt: KeyView };
  /** null when Stripe has no such checkout session, or could not be asked (see `stripeNote`) */
  stripe: StripeView | null;
  /** why `stripe` is null, in words; null when Stripe answered */
  stripeNote: string | null;
  diagnosis: SessionDiagnosis;
  /** what the generation API says about the started generation (SPEC §6.3); null when none started */
  generation: GenerationView | null;
  /** a start whose answer never came: the generation API may have started it (SPEC §3) */
  outcomeUnknown: (UnknownStart & { message: string }) | null;
  /** false when no generation API is configured: "Generate video" is not offered, and this says why */
  generationConfigured: boolean;
  /** the writes each offered action would make, for the confirm step, with the plan's id to apply it with */
  previews: {
    fixSession: SessionWrite[] | null;
    generate: { writes: SessionWrite[]; request: GenerationRequest['config']; planId: string } | null;
    planIds: { fixSession: string | null; generate: string | null };
    /**
     * Why "Mark as failed" is not offered although the diagnosis names it: a generation start in
     * flight, just made or of unknown outcome (a paid video may exist); null when nothing stops it.
     */
    fixBlocked: string | null;
  };
}

function stripeNoteOf(reading: StripeReading): string | null {
  if (reading.error)
    return `Stripe could not be asked about this session (${reading.error}); the payment is unknown.`;
  if (reading.missing)
    return 'Stripe has no checkout session with this id (wrong id, or another Stripe account or mode).';
  return null;
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

function previewsOf(
  services: Services,
  snapshot: SessionSnapshot,
  diagnosis: SessionDiagnosis,
  fixBlock: FixBlock | null,
): SessionInspection['previews'] {
  const now = new Date();
  const offersFix = diagnosis.fixes.includes('fix-session');
  const fix = offersFix && !fixBlock ? planFixSession(snapshot, diagnosis.layout, now) : null;
  const generate = diagnosis.fixes.includes('generate')
    ? generatePreview(snapshot, diagnosis.layout, services.config.generation.configName)
    : null;
  const fixWrites = fix?.kind === 'writes' ? fix.writes : null;
  return {
    fixSession: fixWrites,
    generate,
    planIds: {
      fixSession: fixWrites && fixPlanId(snapshot.sessionId, fixWrites),
      generate: generate?.planId ?? null,
    },
    fixBlocked: offersFix && fixBlock ? fixBlockedError(snapshot.sessionId, fixBlock).message : null,
  };
}

/** The view of a session from what was read: Redis' snapshot and Stripe's answer. */
export function inspectionOf(
  services: Services,
  snapshot: SessionSnapshot,
  stripe: StripeReading,
  generation: { lookup?: GenerationLookup; fixBlock?: FixBlock | null } = {},
): SessionInspection {
  const diagnosis = diagnose(services, snapshot, stripe.state, generation.lookup);
  const fixBlock = generation.fixBlock ?? null;
  const unknown = fixBlock?.kind === 'unknown' ? fixBlock.start : null;
  return {
    sessionId: snapshot.sessionId,
    layout: diagnosis.layout,
    keys: {
      webhook: keyView(snapshot.webhook),
      session: keyView(snapshot.session),
      prompt: keyView(snapshot.prompt),
    },
    stripe: stripe.state,
    stripeNote: stripeNoteOf(stripe),
    diagnosis,
    generation: generation.lookup ? generationView(generation.lookup) : null,
    outcomeUnknown: unknown && { ...unknown, message: OUTCOME_UNKNOWN_TEXT },
    generationConfigured: services.generation.configured,
    previews: previewsOf(services, snapshot, diagnosis, fixBlock),
  };
}

/**
 * Redis (one pipeline) and Stripe in parallel, one round; then the generation API about the started
 * file (at most once a minute per file), while Stripe is still answering. Stripe missing or down still answers,
 * with `stripe: null` and a note.
 */
export async function inspectSession(services: Services, sessionId: string): Promise<SessionInspection> {
  const stripe = readStripe(services, sessionId);
  const fixBlock = generationFixBlock(services, sessionId);
  const snapshot = await readSessionSnapshot(services.redis, services.keys, sessionId);
  // the file's state is asked while Stripe answers: still one round of upstream calls
  const lookup = (await readSessionGenerations(services, [snapshot])).get(sessionId);
  return inspectionOf(services, snapshot, await stripe, {
    ...(lookup && { lookup }),
    fixBlock: await fixBlock,
  });
}
