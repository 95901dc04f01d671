import type { SessionCode, SessionLayout, WebhookStatus } from '@cache-doctor/shared';
import {
  keyState,
  type PromptKeyspace,
  promptKeysOf,
  type ReadBatch,
  readBatch,
  scanAndRead,
  scanStep,
} from '../adapters/prompt-scan';
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
import { detectLayout, type KeyState, type SessionSnapshot } from '../domain/session-snapshot';
import { AppError } from '../lib/app-error';
import type { Services } from './container';

/**
 * Prompt analytics (SPEC §6.3), the old `redis-analytics.js --prompts|--stats` without its
 * `KEYS *` and one GET per key: SCAN in batches of a few hundred keys, each batch read with
 * pipelined MGETs, and nothing kept beyond the current batch but counters (stats) or the page
 * being built (recent prompts). The diagnosis here is from Redis alone (no Stripe call per
 * session), so PAYMENT_NOT_COMPLETED never appears in these counts.
 */

export interface ScannedPrompt extends PromptEntry {
  layout: SessionLayout;
  diagnosisCode: SessionCode;
  webhookStatus: WebhookStatus | null;
}

/** The prompt as stored (blank included, as the old script counted it); null when there is none. */
const promptText = (record: Record<string, unknown> | null) =>
  typeof record?.prompt === 'string' ? record.prompt : null;

function entryOf(services: Services, snapshot: SessionSnapshot, now: Date): ScannedPrompt | null {
  const layoutSetting = services.config.sessionLayout;
  const record = readSession(snapshot, detectLayout(snapshot, layoutSetting));
  const diagnosis = diagnoseSession(
    { snapshot, stripe: null, now, stuckAfterMs: services.config.stuckAfterMs, layoutSetting },
    record,
  );
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

const keyspaceOf = (services: Services): PromptKeyspace => ({
  redis: services.redis,
  keys: services.keys,
  patterns: services.config.keys,
  layout: services.config.sessionLayout,
});

interface PromptScan {
  services: Services;
  now: Date;
}

/**
 * The prompts of one batch, each with its session's diagnosis, each session counted through one
 * key: a three-key session through `prompt:`, a session-only one through `session:`. A `session:`
 * value without a prompt is a three-key lookup, so it is only checked to be readable.
 */
function promptsOfBatch({ services, now }: PromptScan, batch: ReadBatch, tally: ScanTally) {
  const { keys } = services;
  const prompts: ScannedPrompt[] = [];
  const { threeKey, sessionOnly } = batch;
  threeKey.ids.forEach((id, index) => {
    const snapshot: SessionSnapshot = {
      sessionId: id,
      prompt: threeKey.prompts[index] as KeyState,
      webhook: threeKey.webhooks[index] as KeyState,
      session: threeKey.lookups[index] as KeyState,
    };
    const entry = entryOf(services, snapshot, now);
    // A `session:` record holding a prompt makes it session-only: counted through that key.
    if (entry?.layout === 'three-key') prompts.push(entry);
    else if (!entry && snapshot.prompt.raw !== null) tally.unreadable += 1;
  });
  sessionOnly.ids.forEach((id, index) => {
    const session = sessionOnly.sessions[index] as KeyState;
    if (typeof session.raw === 'string') tally.unreadable += 1;
    if (session.raw === null || typeof session.raw === 'string' || !('prompt' in session.raw)) return;
    const snapshot: SessionSnapshot = {
      sessionId: id,
      session,
      // Not read: a `session:` record holding a prompt is the session-only layout.
      webhook: keyState(keys.webhook(id), null),
      prompt: keyState(keys.prompt(id), null),
    };
    const entry = entryOf(services, snapshot, now);
    if (entry?.layout === 'session-only') prompts.push(entry);
  });
  return prompts;
}

/**
 * Every session that can hold a prompt, one SCAN batch at a time, from one SCAN over both patterns:
 * each key of the keyspace is visited once, not once per pattern.
 */
async function* promptBatches(services: Services, tally: ScanTally): AsyncGenerator<ScannedPrompt[]> {
  const scan: PromptScan = { services, now: new Date() };
  const { match, idsOf } = promptKeysOf(keyspaceOf(services));
  const space = keyspaceOf(services);
  for await (const batch of scanAndRead(services.redis, match, (found) => readBatch(space, found, idsOf))) {
    tally.scannedKeys += batch.found.length;
    yield promptsOfBatch(scan, batch, tally);
  }
}

export interface PromptSlice {
  prompts: ScannedPrompt[];
  /** where the next slice starts; '0' once the scan has been through the whole keyspace */
  cursor: string;
  scannedKeys: number;
}

/**
 * The prompts behind the next `minKeys` or so keys of the scan, from `cursor` (SPEC §5's rolling
 * webhook sample): a long scan spread over many short calls, each bounded, none blocking Redis.
 * It stops early where the keyspace ends, so one slice never counts a session twice.
 */
export async function readPromptSlice(
  services: Services,
  options: { cursor: string; minKeys: number; now: Date },
): Promise<PromptSlice> {
  const scan: PromptScan = { services, now: options.now };
  const { match, idsOf } = promptKeysOf(keyspaceOf(services));
  const tally: ScanTally = { scannedKeys: 0, unreadable: 0 };
  const prompts: ScannedPrompt[] = [];
  let cursor = options.cursor;
  do {
    const [next, found] = await scanStep(keyspaceOf(services), cursor, match);
    tally.scannedKeys += found.length;
    if (found.length > 0)
      prompts.push(...promptsOfBatch(scan, await readBatch(keyspaceOf(services), found, idsOf), tally));
    cursor = next;
  } while (cursor !== '0' && tally.scannedKeys < options.minKeys);
  return { prompts, cursor, scannedKeys: tally.scannedKeys };
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
  throw new AppError('INVALID_REQUEST', 'cursor: not a cursor this server handed out');
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
