import { customerIdSchema } from '@cache-doctor/shared';

/**
 * Reading what Redis holds for the customer cache (SPEC §1.1). A value arrives as a string
 * (ioredis), already parsed (Upstash REST parses JSON before handing it over), or null/undefined
 * when the key holds nothing. Every reader here accepts all of these and never throws.
 */

export type JsonObject = Record<string, unknown>;

export type MappingValue =
  | { kind: 'missing' }
  | { kind: 'ok'; customerId: string }
  | { kind: 'malformed'; raw: unknown };

export type RecordValue =
  | { kind: 'missing' }
  | { kind: 'ok'; value: JsonObject }
  | { kind: 'malformed'; raw: unknown };

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isAbsent = (raw: unknown): raw is null | undefined => raw === null || raw === undefined;

/**
 * A mapping (`user:`, `email:`) holds a customer id as plain text: `cus_...`, nothing else.
 * It is deliberately never given to JSON.parse — `JSON.parse('cus_x')` is the classic "Unexpected
 * token c in JSON at position 0" — and anything JSON-shaped (`"cus_x"` with its quotes,
 * `{"customerId":"cus_x"}`, an object a client parsed) is malformed: the app reads the text as the id.
 * A client that parses values hands over `"cus_x"` as `cus_x`; the app sees the same, so it is fine.
 */
export function readMapping(raw: unknown): MappingValue {
  if (isAbsent(raw)) return { kind: 'missing' };
  if (typeof raw === 'string' && customerIdSchema.safeParse(raw).success)
    return { kind: 'ok', customerId: raw };
  return { kind: 'malformed', raw };
}

/** The parsed value, or undefined when the text is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A record (`customer:`, `subscription:`) holds a JSON object; text that is not one, or an array, is malformed. */
export function readJsonRecord(raw: unknown): RecordValue {
  if (isAbsent(raw)) return { kind: 'missing' };
  const value = typeof raw === 'string' ? parseJson(raw) : raw;
  return isJsonObject(value) ? { kind: 'ok', value } : { kind: 'malformed', raw };
}

/** The record as an object, or null when the key is absent or unreadable. */
export function jsonRecordOrNull(raw: unknown): JsonObject | null {
  const read = readJsonRecord(raw);
  return read.kind === 'ok' ? read.value : null;
}

/**
 * The value as Redis stores it, for before-images and compare-and-set: text as is, parsed values
 * serialised back, absent keys null.
 */
export function rawString(raw: unknown): string | null {
  if (isAbsent(raw)) return null;
  if (typeof raw === 'string') return raw;
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    // BigInt or a cycle: no client hands these over, but a before-image must never throw
    return String(raw);
  }
}

const PREVIEW_LENGTH = 60;

/** A short, quoted rendering of a stored value for messages support staff read. */
export function preview(raw: unknown): string {
  const text = rawString(raw) ?? '(nothing)';
  const cut = text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
  return JSON.stringify(cut);
}
