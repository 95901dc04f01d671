import type { SessionCode, SessionLayout, WebhookStatus } from '@cache-doctor/shared';
import { SESSION_ID_PATTERN } from '@cache-doctor/shared';
import { isJsonObject, parseJson } from '../domain/cached-value';
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
import { detectLayout, type KeyState, type RawValue, type SessionSnapshot } from '../domain/session-snapshot';
import { AppError } from '../lib/app-error';
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

/**
 * `prompt:{sessionId}` → the session id, or null for a key that is not one (never trust SCAN's
 * glob alone). Made once per pattern: a scan runs it on every key.
 */
function idFromKeyOf(pattern: string): (key: string) => string | null {
  const [prefix = '', suffix = ''] = pattern.split('{sessionId}');
  return (key) => {
    if (!key.startsWith(prefix) || !key.endsWith(suffix) || key.length <= prefix.length + suffix.length)
      return null;
    const id = key.slice(prefix.length, key.length - suffix.length);
    return SESSION_ID_PATTERN.test(id) ? id : null;
  };
}

/**
 * Each value is parsed here, once: a JSON object goes to the domain already parsed (which it
 * takes as it takes a value a REST client parsed), anything else as the text read, for the domain
 * to find malformed exactly as before.
 */
function parsedOnce(raw: string | null): RawValue {
  if (raw === null) return null;
  const value = parseJson(raw);
  return isJsonObject(value) ? value : raw;
}

const state = (key: string, raw: string | null): KeyState => ({
  key,
  exists: raw !== null,
  ttl: -1,
  raw: parsedOnce(raw),
});

/** Keeps a promise read ahead from being an unhandled rejection before (or unless) it is awaited. */
function readAhead<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * SCAN batches of keys, each with its values (`read`), one batch ahead: while the caller works
 * through a batch, the next SCAN and the next batch's reads are already in flight, so Redis and
 * Node work at the same time. Every command stays one batch of at most a few hundred keys, and
 * memory about two batches.
 */
async function* scanAndRead<T>(
  services: Services,
  match: string,
  read: (keys: string[]) => Promise<T>,
): AsyncGenerator<T> {
  const scan = (cursor: string): Promise<[string, string[]]> =>
    readAhead(services.redis.scan(cursor, 'MATCH', match, 'COUNT', SCAN_BATCH));
  let scanning: Promise<[string, string[]]> | null = scan('0');
  let reading: Promise<T> | null = null;
  while (scanning !== null) {
    const [cursor, found]: [string, string[]] = await scanning;
    scanning = cursor === '0' ? null : scan(cursor);
    const next = found.length > 0 ? readAhead(read(found)) : null;
    if (reading !== null) yield await reading;
    reading = next;
  }
  if (reading !== null) yield await reading;
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

type Values = (string | null)[];

type PromptPattern = 'prompt' | 'session';

/** The key patterns that can hold a prompt, in each layout setting. */
const PROMPT_PATTERNS: Record<Services['config']['sessionLayout'], readonly PromptPattern[]> = {
  'three-key': ['prompt'],
  'session-only': ['session'],
  detect: ['prompt', 'session'],
};

function valuesOf(replies: [Error | null, unknown][] | null): Values[] {
  return (replies ?? []).map(([error, values]) => {
    if (error) throw error;
    return values as Values;
  });
}

/** Each list of keys read with one MGET, all in one pipeline; an empty list reads nothing. */
async function mgetEach(services: Services, lists: readonly string[][]): Promise<Values[]> {
  const pipeline = services.redis.pipeline();
  for (const names of lists) if (names.length > 0) pipeline.mget(names);
  const replies = pipeline.length > 0 ? valuesOf(await pipeline.exec()) : [];
  let next = 0;
  return lists.map((names) => (names.length > 0 ? (replies[next++] ?? []) : []));
}

/** One SCAN batch with every key read for it, by index of its session ids. */
interface ReadBatch {
  /** keys SCAN returned */
  found: string[];
  /** sessions found by a `prompt:` key, read with their `webhook:` and `session:` */
  threeKey: { ids: string[]; prompts: KeyState[]; webhooks: KeyState[]; lookups: KeyState[] };
  /** sessions found by a `session:` key, with its value */
  sessionOnly: { ids: string[]; sessions: KeyState[] };
}

interface IdsOf {
  prompt: (key: string) => string | null;
  session: (key: string) => string | null;
}

/**
 * The sessions behind a SCAN batch's keys, read in one pipeline: a `prompt:` key is a three-key
 * session, read with its `webhook:` and `session:` for the diagnosis; a `session:` key may be a
 * session-only one. (A three-key `session:` lookup is read twice, with its `prompt:` and as a
 * `session:` key: telling the two apart before reading costs more than the small lookup.)
 */
async function readBatch(services: Services, found: string[], idsOf: IdsOf): Promise<ReadBatch> {
  const { keys } = services;
  const threeKey: string[] = [];
  const sessionOnly: string[] = [];
  for (const key of found) {
    const fromPrompt = idsOf.prompt(key);
    if (fromPrompt !== null) threeKey.push(fromPrompt);
    const fromSession = idsOf.session(key);
    if (fromSession !== null) sessionOnly.push(fromSession);
  }
  const names = [
    threeKey.map(keys.prompt),
    threeKey.map(keys.webhook),
    threeKey.map(keys.session),
    sessionOnly.map(keys.session),
  ];
  const values = await mgetEach(services, names);
  const [prompts = [], webhooks = [], lookups = [], sessions = []] = names.map((list, which) =>
    list.map((key, index) => state(key, values[which]?.[index] ?? null)),
  );
  return {
    found,
    threeKey: { ids: threeKey, prompts, webhooks, lookups },
    sessionOnly: { ids: sessionOnly, sessions },
  };
}

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
      webhook: state(keys.webhook(id), null),
      prompt: state(keys.prompt(id), null),
    };
    const entry = entryOf(services, snapshot, now);
    if (entry?.layout === 'session-only') prompts.push(entry);
  });
  return prompts;
}

/** What one SCAN over both key patterns looks for: its glob, and how each key names its session. */
function promptKeysOf(services: Services): { match: string; idsOf: IdsOf } {
  const { keys, config } = services;
  const patterns = PROMPT_PATTERNS[config.sessionLayout];
  const none = () => null;
  return {
    match: keys.scanPatternOfAll(patterns),
    idsOf: {
      prompt: patterns.includes('prompt') ? idFromKeyOf(config.keys.prompt) : none,
      session: patterns.includes('session') ? idFromKeyOf(config.keys.session) : none,
    },
  };
}

/**
 * Every session that can hold a prompt, one SCAN batch at a time, from one SCAN over both patterns:
 * each key of the keyspace is visited once, not once per pattern.
 */
async function* promptBatches(services: Services, tally: ScanTally): AsyncGenerator<ScannedPrompt[]> {
  const scan: PromptScan = { services, now: new Date() };
  const { match, idsOf } = promptKeysOf(services);
  for await (const batch of scanAndRead(services, match, (found) => readBatch(services, found, idsOf))) {
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
  const { match, idsOf } = promptKeysOf(services);
  const tally: ScanTally = { scannedKeys: 0, unreadable: 0 };
  const prompts: ScannedPrompt[] = [];
  let cursor = options.cursor;
  do {
    const [next, found] = await services.redis.scan(cursor, 'MATCH', match, 'COUNT', SCAN_BATCH);
    tally.scannedKeys += found.length;
    if (found.length > 0)
      prompts.push(...promptsOfBatch(scan, await readBatch(services, found, idsOf), tally));
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
