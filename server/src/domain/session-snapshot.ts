import type { SessionLayout } from '@cache-doctor/shared';
import { isJsonObject, type JsonObject, parseJson, rawString as storedText } from './cached-value';

export type { JsonObject };

/**
 * What Redis holds for one checkout session (SPEC §1.2), as the redis adapter reads it in one
 * pipelined round trip. Everything in `domain/session*` is computed from this alone.
 */

/**
 * A key's value as a client returned it: a string (ioredis), or already parsed (Upstash REST
 * parses JSON values before handing them over), or null when the key holds nothing.
 */
export type RawValue = string | object | null;

export interface KeyState {
  key: string;
  exists: boolean;
  /** Redis TTL semantics: seconds left, -1 for no expiry, -2 when the key does not exist */
  ttl: number;
  raw: RawValue;
}

export interface SessionSnapshot {
  sessionId: string;
  webhook: KeyState;
  session: KeyState;
  prompt: KeyState;
}

/**
 * A key as a batch read (MGET) sees it: its value, no TTL (-1 when present, -2 when absent). Batch
 * snapshots are for diagnosis; a repair re-reads its session with TTLs before it writes.
 */
export const keyStateWithoutTtl = (key: string, raw: RawValue | undefined): KeyState => ({
  key,
  exists: raw != null,
  ttl: raw == null ? -2 : -1,
  raw: raw ?? null,
});

export interface ParsedKey {
  /** the value when it is a JSON object; null when the key is absent or malformed */
  value: JsonObject | null;
  /** the key exists but does not hold a JSON object */
  malformed: boolean;
}

export type LayoutSetting = SessionLayout | 'detect';

/** A client may report a value without `exists` (or the reverse); either one means the key is there. */
export function isPresent(state: KeyState): boolean {
  return state.exists || state.raw !== null;
}

/**
 * Every session key holds a JSON object. A key that exists with anything else — text that is not
 * JSON, an array, a number, or no string value at all (another Redis type) — is malformed.
 */
export function parseKeyState(state: KeyState): ParsedKey {
  if (!isPresent(state)) return { value: null, malformed: false };
  const value = typeof state.raw === 'string' ? parseJson(state.raw) : state.raw;
  return isJsonObject(value) ? { value, malformed: false } : { value: null, malformed: true };
}

/**
 * The value as Redis stores it, for before-images and compare-and-set: parsed values are
 * serialised back, absent keys are null.
 */
export function rawString(state: KeyState): string | null {
  return storedText(state.raw);
}

/** Fields the three-key layout's `session:` record holds; anything more means the current layout. */
const THREE_KEY_SESSION_FIELDS = new Set(['fileId', 'timestamp']);

/**
 * Which layout a session was written in. A configured layout is taken as given. With 'detect':
 * a `session:` record holding a `prompt` is the current layout (session-only); a `prompt:` or
 * `webhook:` key, or a `session:` record with nothing but fileId/timestamp, is the older
 * three-key layout. Anything else (no keys, an unreadable `session:`, a record of other fields)
 * is read as the current layout, the one the app writes today.
 */
export function detectLayout(snapshot: SessionSnapshot, setting: LayoutSetting): SessionLayout {
  if (setting !== 'detect') return setting;
  const session = parseKeyState(snapshot.session).value;
  if (session && 'prompt' in session) return 'session-only';
  if (isPresent(snapshot.prompt) || isPresent(snapshot.webhook)) return 'three-key';
  if (session && Object.keys(session).every((field) => THREE_KEY_SESSION_FIELDS.has(field)))
    return 'three-key';
  return 'session-only';
}
