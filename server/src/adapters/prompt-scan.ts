import { SESSION_ID_PATTERN } from '@cache-doctor/shared';
import type { Redis } from 'ioredis';
import type { KeyPatterns } from '../config';
import { isJsonObject, parseJson } from '../domain/cached-value';
import {
  type KeyState,
  keyStateWithoutTtl,
  type LayoutSetting,
  type RawValue,
} from '../domain/session-snapshot';
import { type Keys, valueOfPatternKey } from '../keys';

/**
 * The reader of every session that can hold a prompt (SPEC §6.3 stats, §5 webhook sample): SCAN
 * in batches of a few hundred keys over both key patterns at once, each batch read with pipelined
 * MGETs, one batch read ahead. It only reads; the prompt service diagnoses and counts.
 */

/** Where the session records live and which layouts to look for. */
export interface PromptKeyspace {
  redis: Redis;
  keys: Keys;
  patterns: KeyPatterns;
  layout: LayoutSetting;
}

/** Keys per SCAN and per MGET: ~300 values of ~1 KB keep each command well under 10 ms. */
export const SCAN_BATCH = 300;

/**
 * `prompt:{sessionId}` → the session id, or null for a key that is not one (never trust SCAN's
 * glob alone).
 */
function idFromKeyOf(pattern: string): (key: string) => string | null {
  const sessionIdOf = valueOfPatternKey(pattern);
  return (key) => {
    const id = sessionIdOf(key);
    return id !== null && SESSION_ID_PATTERN.test(id) ? id : null;
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

export const keyState = (key: string, raw: string | null): KeyState =>
  keyStateWithoutTtl(key, parsedOnce(raw));

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
export async function* scanAndRead<T>(
  redis: Redis,
  match: string,
  read: (keys: string[]) => Promise<T>,
): AsyncGenerator<T> {
  const scan = (cursor: string): Promise<[string, string[]]> =>
    readAhead(redis.scan(cursor, 'MATCH', match, 'COUNT', SCAN_BATCH));
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

type Values = (string | null)[];

type PromptPattern = 'prompt' | 'session';

/** The key patterns that can hold a prompt, in each layout setting. */
const PROMPT_PATTERNS: Record<LayoutSetting, readonly PromptPattern[]> = {
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
async function mgetEach(redis: Redis, lists: readonly string[][]): Promise<Values[]> {
  const pipeline = redis.pipeline();
  for (const names of lists) if (names.length > 0) pipeline.mget(names);
  const replies = pipeline.length > 0 ? valuesOf(await pipeline.exec()) : [];
  let next = 0;
  return lists.map((names) => (names.length > 0 ? (replies[next++] ?? []) : []));
}

/** One SCAN batch with every key read for it, by index of its session ids. */
export interface ReadBatch {
  /** keys SCAN returned */
  found: string[];
  /** sessions found by a `prompt:` key, read with their `webhook:` and `session:` */
  threeKey: { ids: string[]; prompts: KeyState[]; webhooks: KeyState[]; lookups: KeyState[] };
  /** sessions found by a `session:` key, with its value */
  sessionOnly: { ids: string[]; sessions: KeyState[] };
}

export interface IdsOf {
  prompt: (key: string) => string | null;
  session: (key: string) => string | null;
}

/**
 * The sessions behind a SCAN batch's keys, read in one pipeline: a `prompt:` key is a three-key
 * session, read with its `webhook:` and `session:` for the diagnosis; a `session:` key may be a
 * session-only one. (A three-key `session:` lookup is read twice, with its `prompt:` and as a
 * `session:` key: telling the two apart before reading costs more than the small lookup.)
 */
export async function readBatch(space: PromptKeyspace, found: string[], idsOf: IdsOf): Promise<ReadBatch> {
  const { keys } = space;
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
  const values = await mgetEach(space.redis, names);
  const [prompts = [], webhooks = [], lookups = [], sessions = []] = names.map((list, which) =>
    list.map((key, index) => keyState(key, values[which]?.[index] ?? null)),
  );
  return {
    found,
    threeKey: { ids: threeKey, prompts, webhooks, lookups },
    sessionOnly: { ids: sessionOnly, sessions },
  };
}

/** What one SCAN over both key patterns looks for: its glob, and how each key names its session. */
export function promptKeysOf(space: PromptKeyspace): { match: string; idsOf: IdsOf } {
  const { keys } = space;
  const patterns = PROMPT_PATTERNS[space.layout];
  const none = () => null;
  return {
    match: keys.scanPatternOfAll(patterns),
    idsOf: {
      prompt: patterns.includes('prompt') ? idFromKeyOf(space.patterns.prompt) : none,
      session: patterns.includes('session') ? idFromKeyOf(space.patterns.session) : none,
    },
  };
}

/** One SCAN step over the prompt patterns (a rolling slice goes a step at a time). */
export const scanStep = (space: PromptKeyspace, cursor: string, match: string): Promise<[string, string[]]> =>
  space.redis.scan(cursor, 'MATCH', match, 'COUNT', SCAN_BATCH);
