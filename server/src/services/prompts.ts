import type { SessionCode, SessionLayout, WebhookStatus } from '@cache-doctor/shared';
import { SESSION_ID_PATTERN } from '@cache-doctor/shared';
import {
  createPromptStats,
  mergeRecentPrompts,
  type PromptEntry,
  type PromptStats,
  previewOf,
  type RecentPrompt,
  type RecentPromptCursor,
} from '../domain/prompt-stats';
import { diagnoseSession } from '../domain/session-diagnosis';
import { readSession } from '../domain/session-record';
import { type KeyState, parseKeyState, type SessionSnapshot } from '../domain/session-snapshot';
import { HttpError } from '../lib/http-error';
import type { Services } from './container';

/**
 * Prompt analytics (SPEC §6.3), the old `redis-analytics.js --prompts|--stats` without its
 * `KEYS *` and one GET per key: SCAN in batches of a few hundred keys, each batch read with
 * pipelined MGETs, and nothing kept beyond the current batch but counters (stats) or the page
 * being built (recent prompts). The diagnosis here is from Redis alone (no Stripe call per
 * session), so PAYMENT_NOT_COMPLETED never appears in these counts.
 */

/** Keys per SCAN and per MGET: ~300 values of ~1 KB keep each command well under 10 ms. */
export const SCAN_BATCH = 300;

export interface ScannedPrompt extends PromptEntry {
  layout: SessionLayout;
  diagnosisCode: SessionCode;
  webhookStatus: WebhookStatus | null;
}

/** `prompt:{sessionId}` → the session id, or null for a key that is not one (never trust SCAN's glob alone). */
function idFromKey(pattern: string, key: string): string | null {
  const [prefix = '', suffix = ''] = pattern.split('{sessionId}');
  if (!key.startsWith(prefix) || !key.endsWith(suffix) || key.length <= prefix.length + suffix.length)
    return null;
  const id = key.slice(prefix.length, key.length - suffix.length);
  return SESSION_ID_PATTERN.test(id) ? id : null;
}

const state = (key: string, raw: string | null): KeyState => ({ key, exists: raw !== null, ttl: -1, raw });

async function* scanBatches(services: Services, match: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await services.redis.scan(cursor, 'MATCH', match, 'COUNT', SCAN_BATCH);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/** The prompt as stored (blank included, as the old script counted it); null when there is none. */
const promptText = (record: Record<string, unknown> | null) =>
  typeof record?.prompt === 'string' ? record.prompt : null;

function entryOf(services: Services, snapshot: SessionSnapshot, now: Date): ScannedPrompt | null {
  const diagnosis = diagnoseSession({
    snapshot,
    stripe: null,
    now,
    stuckAfterMs: services.config.stuckAfterMs,
    layoutSetting: services.config.sessionLayout,
  });
  const record = readSession(snapshot, diagnosis.layout);
  const prompt = promptText(record.promptRecord);
  if (prompt === null) return null;
  return {
    sessionId: snapshot.sessionId,
    prompt,
    timestamp:
      diagnosis.layout === 'three-key'
        ? record.promptTimestamp
        : (record.createdAt ?? record.statusTimestamp),
    layout: diagnosis.layout,
    diagnosisCode: diagnosis.code,
    webhookStatus: record.status,
  };
}

export interface ScanTally {
  /** keys SCAN returned (both patterns) */
  scannedKeys: number;
  /** keys that should hold a prompt but hold no readable one (e.g. not JSON) */
  unreadable: number;
}

/**
 * Every prompt, one batch at a time: `prompt:*` (three-key; its `webhook:` and `session:` are
 * read in the same pipeline for the diagnosis) and `session:*` records that hold a prompt
 * (session-only; three-key `session:` lookups hold none and are skipped).
 */
async function* promptBatches(services: Services, tally: ScanTally): AsyncGenerator<ScannedPrompt[]> {
  const { keys, config } = services;
  const now = new Date();
  const layout = config.sessionLayout;
  if (layout !== 'session-only') {
    for await (const found of scanBatches(services, keys.scanPattern('prompt'))) {
      tally.scannedKeys += found.length;
      const ids = found.map((key) => idFromKey(config.keys.prompt, key)).filter((id) => id !== null);
      if (ids.length === 0) continue;
      const replies = await services.redis
        .pipeline()
        .mget(ids.map((id) => keys.prompt(id)))
        .mget(ids.map((id) => keys.webhook(id)))
        .mget(ids.map((id) => keys.session(id)))
        .exec();
      const [prompts, webhooks, sessions] = (replies ?? []).map(([error, values]) => {
        if (error) throw error;
        return values as (string | null)[];
      }) as [(string | null)[], (string | null)[], (string | null)[]];
      const batch: ScannedPrompt[] = [];
      ids.forEach((id, index) => {
        const snapshot: SessionSnapshot = {
          sessionId: id,
          prompt: state(keys.prompt(id), prompts[index] ?? null),
          webhook: state(keys.webhook(id), webhooks[index] ?? null),
          session: state(keys.session(id), sessions[index] ?? null),
        };
        const entry = entryOf(services, snapshot, now);
        if (entry) batch.push(entry);
        else if (snapshot.prompt.raw !== null) tally.unreadable += 1;
      });
      yield batch;
    }
  }
  if (layout !== 'three-key') {
    for await (const found of scanBatches(services, keys.scanPattern('session'))) {
      tally.scannedKeys += found.length;
      const ids = found.map((key) => idFromKey(config.keys.session, key)).filter((id) => id !== null);
      if (ids.length === 0) continue;
      const values = await services.redis.mget(ids.map((id) => keys.session(id)));
      const batch: ScannedPrompt[] = [];
      ids.forEach((id, index) => {
        const raw = values[index] ?? null;
        const snapshot: SessionSnapshot = {
          sessionId: id,
          session: state(keys.session(id), raw),
          // Not read: only a session-only record (detected from `session:` alone) is taken here.
          webhook: state(keys.webhook(id), null),
          prompt: state(keys.prompt(id), null),
        };
        const entry = entryOf(services, snapshot, now);
        if (entry?.layout === 'session-only') batch.push(entry);
        else if (!entry && parseKeyState(snapshot.session).malformed) tally.unreadable += 1;
      });
      yield batch;
    }
  }
}

export interface PromptStatsReport extends PromptStats, ScanTally {
  generatedAt: string;
  durationMs: number;
}

/** `GET /api/stats`: the old analytics script's figures plus diagnosis counts, in one bounded pass. */
export async function readPromptStats(services: Services): Promise<PromptStatsReport> {
  const started = performance.now();
  const tally: ScanTally = { scannedKeys: 0, unreadable: 0 };
  const stats = createPromptStats();
  for await (const batch of promptBatches(services, tally)) for (const entry of batch) stats.add(entry);
  return {
    ...stats.result(),
    ...tally,
    generatedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
  };
}

export interface PromptListItem {
  sessionId: string;
  preview: string;
  length: number;
  timestamp: string | null;
  layout: SessionLayout;
  diagnosisCode: SessionCode;
  webhookStatus: WebhookStatus | null;
}

export interface PromptPage {
  prompts: PromptListItem[];
  /** pass back as `cursor` for the next (older) page; null on the last page */
  cursor: string | null;
}

export const MAX_PROMPT_PAGE = 200;

export function encodePromptCursor(cursor: RecentPromptCursor): string {
  return Buffer.from(JSON.stringify([cursor.timestamp, cursor.sessionId])).toString('base64url');
}

export function decodePromptCursor(text: string): RecentPromptCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      (value[0] === null || typeof value[0] === 'string') &&
      typeof value[1] === 'string'
    )
      return { timestamp: value[0], sessionId: value[1] };
  } catch {
    // falls through to the error below
  }
  throw new HttpError(400, 'INVALID_REQUEST', 'cursor: not a cursor this server handed out');
}

type Listed = RecentPrompt & ScannedPrompt;

/**
 * `GET /api/prompts`: newest first. There is no index by time, so every page scans all prompt
 * keys, keeping only the `limit + 1` newest past the cursor (mergeRecentPrompts): memory is
 * bounded by the page, not the keyspace.
 */
export async function listRecentPrompts(
  services: Services,
  options: { limit: number; cursor?: string | undefined },
): Promise<PromptPage> {
  const limit = Math.min(Math.max(1, options.limit), MAX_PROMPT_PAGE);
  const after = options.cursor ? decodePromptCursor(options.cursor) : undefined;
  const tally: ScanTally = { scannedKeys: 0, unreadable: 0 };
  let kept: RecentPrompt[] = [];
  for await (const batch of promptBatches(services, tally)) {
    kept = mergeRecentPrompts(kept, batch, { limit: limit + 1, ...(after && { after }) });
  }
  // mergeRecentPrompts returns the very objects it was given.
  const page = (kept as Listed[]).slice(0, limit);
  const last = page[page.length - 1];
  return {
    prompts: page.map((entry) => ({
      sessionId: entry.sessionId,
      preview: previewOf(entry.prompt),
      length: entry.prompt.length,
      timestamp: entry.timestamp,
      layout: entry.layout,
      diagnosisCode: entry.diagnosisCode,
      webhookStatus: entry.webhookStatus,
    })),
    cursor: kept.length > limit && last ? encodePromptCursor(last) : null,
  };
}
