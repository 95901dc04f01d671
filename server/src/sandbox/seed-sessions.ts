import { SESSION_TTL_SECONDS, type SessionCode, type SessionLayout } from '@cache-doctor/shared';
import type { Keys } from '../keys';
import type { GenerationFileWire, SandboxDataset } from './dataset';
import type { Planted, PlantedLayout } from './seed';
import { checkoutCompletedEventWire, checkoutSessionWire } from './seed-checkout-wire';
import type { SetWrite } from './seed-customers';
import {
  GENERATION_ERRORS,
  makePrompt,
  PROMPT_BUCKETS,
  pickPromptBucket,
  RESOLUTIONS,
  TOOLS,
  type Tool,
  VIDEO_STYLES,
} from './seed-prompts';
import { ids, type Random } from './seed-random';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './seed-time';

/** A paying user, as the sessions they bought name them. */
export interface SessionOwner {
  userId: string;
  customerId: string;
  email: string;
  name: string | null;
}

/** The seed's checkout sessions: which problem each carries, their Redis records in either layout, webhook statuses and generation files (see seed.ts). */

/** Session problems per layout, as a share of all checkout sessions (~14 % broken). */
export const SESSION_PLAN: readonly (readonly [SessionCode, PlantedLayout, number])[] = [
  ['NOT_FOUND', 'none', 0.012],
  ['WEBHOOK_MISSING', 'three-key', 0.012],
  ['WEBHOOK_MISSING', 'session-only', 0.015],
  ['SESSION_MAPPING_MISSING', 'three-key', 0.01],
  ['PROMPT_MISSING', 'three-key', 0.01],
  ['PROMPT_MISSING', 'session-only', 0.008],
  ['WEBHOOK_ERROR', 'three-key', 0.01],
  ['WEBHOOK_ERROR', 'session-only', 0.01],
  ['STUCK', 'three-key', 0.01],
  ['STUCK', 'session-only', 0.01],
  ['PAYMENT_NOT_COMPLETED', 'three-key', 0.01],
  ['PAYMENT_NOT_COMPLETED', 'session-only', 0.01],
  ['MALFORMED', 'three-key', 0.008],
  ['MALFORMED', 'session-only', 0.008],
  ['GENERATION_FAILED', 'three-key', 0.01],
  ['GENERATION_FAILED', 'session-only', 0.01],
  ['GENERATION_STUCK', 'three-key', 0.008],
  ['GENERATION_STUCK', 'session-only', 0.008],
];

/** How many videos a checkout buys: mostly one. */
export const pickVideoCount = (r: Random) =>
  r.weighted([
    [1, 70],
    [2, 15],
    [3, 8],
    [4, 7],
  ] as const);

/** The newest a seeded webhook status may be: a minute past the default 15-minute stuck limit, so a `pending` status is STUCK. */
export const latestWebhookMs = (nowMs: number) => nowMs - 15 * MINUTE_MS - 60_000;

interface SessionContext {
  keys: Keys;
  set: SetWrite;
  dataset: SandboxDataset;
  planted: Planted;
  owners: SessionOwner[];
  nowMs: number;
  livemode: boolean;
}

export const iso = (ms: number) => new Date(ms).toISOString();

export function buildSessions(r: Random, ctx: SessionContext): void {
  const { keys, set, dataset, planted, owners, nowMs, livemode } = ctx;
  const total = owners.length;
  const plan: (readonly [SessionCode, PlantedLayout])[] = [];
  for (const [code, layout, rate] of SESSION_PLAN) {
    for (let k = Math.max(1, Math.round(total * rate)); k > 0; k--) plan.push([code, layout]);
  }
  plan.length = Math.min(plan.length, Math.floor(total / 2));
  while (plan.length < total) plan.push(['OK', r.chance(0.4) ? 'three-key' : 'session-only']);
  r.shuffle(plan);

  const rotation = newRotation();
  owners.forEach((owner, index) => {
    const [code, layout] = plan[index] as readonly [SessionCode, PlantedLayout];
    const sessionId = ids.checkoutSession(r, livemode);
    planted.sessions[sessionId] = { layout, code, userId: owner.userId, customerId: owner.customerId };
    planted.byCode[code].push(sessionId);

    const unpaid = code === 'PAYMENT_NOT_COMPLETED';
    // Abandoned-open checkouts expire after 24 h, so those are recent; async payments (complete but
    // unpaid, e.g. bank debits) and everything else spread over the past week. Nothing is younger
    // than 25 minutes, so a `pending` status is unambiguously STUCK.
    const open = unpaid && r.chance(0.5);
    const createdMs =
      nowMs - (open ? r.int(25 * MINUTE_MS, 20 * HOUR_MS) : r.int(25 * MINUTE_MS, 7 * DAY_MS));
    const completedMs = createdMs + r.int(30_000, 4 * MINUTE_MS);
    const webhookMs = Math.min(completedMs + r.int(2_000, 30_000), latestWebhookMs(nowMs));
    const tool = r.pick(TOOLS);
    const videoCount = pickVideoCount(r);

    const session = checkoutSessionWire(r, {
      id: sessionId,
      created: Math.floor(createdMs / 1000),
      customer: owner.customerId,
      email: owner.email,
      name: owner.name,
      userId: owner.userId,
      amount: tool.pricePerVideo * videoCount,
      status: open ? 'open' : 'complete',
      paymentStatus: unpaid ? 'unpaid' : 'paid',
      toolSlug: tool.slug,
      videoCount,
      livemode,
    });
    dataset.checkoutSessions.push(session);
    if (!open) {
      const failed = code === 'WEBHOOK_MISSING';
      const event = checkoutCompletedEventWire(r, session, Math.floor(completedMs / 1000), failed);
      dataset.events.push(event);
      if (failed) planted.failedEventIds.push(event.id);
    }
    if (layout === 'none') return;
    writeSessionCache(
      r,
      keys,
      set,
      { sessionId, layout, code, tool, videoCount, createdMs, webhookMs, nowMs },
      rotation,
      dataset.generationFiles,
    );
  });
}

interface SessionCacheInput {
  sessionId: string;
  layout: SessionLayout;
  code: SessionCode;
  tool: Tool;
  videoCount: number;
  createdMs: number;
  webhookMs: number;
  nowMs: number;
}

/** Counters that spread the variants of a planted problem evenly over the sessions carrying it. */
interface SessionRotation {
  promptsStored: number;
  malformed: number;
  stuck: number;
  generationFailed: Record<SessionLayout, number>;
}

/** A fresh set of rotation counters, one per build. */
export const newRotation = (): SessionRotation => ({
  promptsStored: 0,
  malformed: 0,
  stuck: 0,
  generationFailed: { 'three-key': 0, 'session-only': 0 },
});

/** Writes one checkout session's Redis keys in its layout, with its planted problem applied. */
export function writeSessionCache(
  r: Random,
  keys: Keys,
  set: SetWrite,
  input: SessionCacheInput,
  rotation: SessionRotation,
  /** when given, the generation API's file for a `processing` session is added here */
  files?: GenerationFileWire[],
): void {
  const { sessionId, layout, code, tool, videoCount, createdMs, webhookMs, nowMs } = input;
  // Every stored prompt bucket appears: the first five stored prompts take one bucket each.
  const storesPrompt = code !== 'PROMPT_MISSING';
  const prompt = makePrompt(
    r,
    storesPrompt && rotation.promptsStored < PROMPT_BUCKETS.length
      ? rotation.promptsStored
      : pickPromptBucket(r),
  );
  if (storesPrompt) rotation.promptsStored++;
  const ttl = SESSION_TTL_SECONDS - Math.floor((nowMs - createdMs) / 1000);
  const fileId = r.uuid();
  const status = sessionStatus(r, code, fileId, webhookMs, nowMs, rotation.stuck);
  if (code === 'STUCK') rotation.stuck++;
  if (status?.status === 'processing' && status.fileId && files) {
    // per layout, so each layout gets both a retryable failure and a refusal
    const failedRotation = code === 'GENERATION_FAILED' ? rotation.generationFailed[layout]++ : 0;
    files.push(generationFileOf(status.fileId, code, webhookMs, nowMs, failedRotation));
  }

  if (layout === 'three-key') {
    const promptValue = JSON.stringify({ prompt, timestamp: iso(createdMs) });
    const webhookValue = status && JSON.stringify({ ...status, toolSlug: tool.slug, toolTitle: tool.title });
    const sessionValue = JSON.stringify(
      status?.fileId ? { fileId: status.fileId, timestamp: status.timestamp } : { timestamp: iso(webhookMs) },
    );
    if (code === 'MALFORMED') {
      // Either a bare status word in `webhook:` or the raw prompt text in `prompt:`.
      const bareWebhook = rotation.malformed++ % 2 === 0;
      set(keys.prompt(sessionId), bareWebhook ? promptValue : prompt, ttl);
      set(keys.webhook(sessionId), bareWebhook ? 'processing' : (webhookValue as string), ttl);
      set(keys.session(sessionId), sessionValue, ttl);
      return;
    }
    if (code !== 'PROMPT_MISSING') set(keys.prompt(sessionId), promptValue, ttl);
    if (webhookValue) set(keys.webhook(sessionId), webhookValue, ttl);
    // The status update was dropped (WEBHOOK_MISSING) or never paid: nothing after the prompt.
    const hasSession =
      code !== 'SESSION_MAPPING_MISSING' && code !== 'WEBHOOK_MISSING' && code !== 'PAYMENT_NOT_COMPLETED';
    if (hasSession) set(keys.session(sessionId), sessionValue, ttl);
    return;
  }

  // session-only: one record, created at checkout, status merged in by the webhook.
  const record: Record<string, unknown> = {
    prompt,
    videoCount,
    duration: r.pick([5, 10, 10, 15, 30]),
    resolution: r.pick(RESOLUTIONS),
    style: r.pick(VIDEO_STYLES),
    toolSlug: tool.slug,
    toolTitle: tool.title,
    createdAt: iso(createdMs),
  };
  if (status) Object.assign(record, status);
  else record.timestamp = iso(createdMs);
  if (code === 'PROMPT_MISSING') delete record.prompt;
  let value = JSON.stringify(record);
  if (code === 'MALFORMED') {
    // A write cut short, or an object stored without JSON.stringify.
    value =
      rotation.malformed++ % 2 === 0 ? value.slice(0, Math.floor(value.length * 0.6)) : '[object Object]';
  }
  set(keys.session(sessionId), value, ttl);
}

interface StatusFields {
  status: 'pending' | 'processing' | 'completed' | 'error';
  fileId?: string;
  error?: string;
  timestamp: string;
}

/** The webhook status each planted session carries; null when none was ever written. */
function sessionStatus(
  r: Random,
  code: SessionCode,
  fileId: string,
  webhookMs: number,
  nowMs: number,
  stuckRotation: number,
): StatusFields | null {
  const at = iso(webhookMs);
  switch (code) {
    case 'WEBHOOK_MISSING':
    case 'PAYMENT_NOT_COMPLETED':
    case 'NOT_FOUND':
      return null;
    case 'WEBHOOK_ERROR':
      return { status: 'error', error: r.pick(GENERATION_ERRORS), timestamp: at };
    case 'STUCK':
      // Older than the 15-minute limit: `pending`, or `processing` that never got a file id.
      return { status: stuckRotation % 2 === 0 ? 'pending' : 'processing', timestamp: at };
    case 'GENERATION_FAILED':
    case 'GENERATION_STUCK':
      // started; the generation API's file says what became of it (generationFileOf)
      return { status: 'processing', fileId, timestamp: at };
    default: {
      // OK, SESSION_MAPPING_MISSING, PROMPT_MISSING, MALFORMED: generation started (or finished).
      if (r.chance(0.3)) {
        return {
          status: 'completed',
          fileId,
          timestamp: iso(Math.min(webhookMs + r.int(1, 10) * MINUTE_MS, nowMs)),
        };
      }
      return { status: 'processing', fileId, timestamp: at };
    }
  }
}

/** A failure the provider reports; every other one is a content-policy refusal (terminal). */
const RETRYABLE_FAILURE = 'Generation failed: out of GPU capacity, please retry';
const REFUSED_FAILURE = 'Content policy violation: prompt was rejected';

/**
 * The generation API's file behind a `processing` session: finished with a video for the healthy
 * ones (the app never writes `completed` itself), failed for GENERATION_FAILED (alternately a
 * retryable error and a refusal), still unfinished two hours on for GENERATION_STUCK.
 */
function generationFileOf(
  fileId: string,
  code: SessionCode,
  webhookMs: number,
  nowMs: number,
  failedRotation: number,
): GenerationFileWire {
  const startedMs = code === 'GENERATION_STUCK' ? Math.min(webhookMs, nowMs - 2 * HOUR_MS) : webhookMs;
  const base = { id: fileId, created_at: iso(startedMs), url: null, error: null };
  if (code === 'GENERATION_STUCK') return { ...base, status: 'processing', updated_at: iso(startedMs) };
  const finishedAt = iso(Math.min(startedMs + 3 * MINUTE_MS, nowMs));
  if (code === 'GENERATION_FAILED')
    return {
      ...base,
      status: 'failed',
      updated_at: finishedAt,
      error: failedRotation % 2 === 0 ? RETRYABLE_FAILURE : REFUSED_FAILURE,
    };
  return {
    ...base,
    status: 'completed',
    updated_at: finishedAt,
    url: `https://videos.example.com/${fileId}.mp4`,
  };
}
