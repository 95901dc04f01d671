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

const PROMPT_FIRST = '{"prompt":"';
/** What makes a JSON string literal's text differ from the string it means, or makes it invalid. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids these raw inside strings
const NOT_VERBATIM = /[\u0000-\u001f\\]/;

/**
 * JSON.parse, faster for the values the app writes (`JSON.stringify({ prompt, … })`, prompt
 * first): the prompt is most of the bytes, and JSON.parse copies it a character at a time. When
 * its literal has no escape and no control character, its text *is* the string, so it is sliced
 * out and only the rest is parsed; anything else (an escape, a second "prompt" key, another
 * shape) is parsed whole. The result is always exactly JSON.parse's (the tests compare them).
 */
export function parseJsonPromptFirst(raw: string): unknown {
  if (!raw.startsWith(PROMPT_FIRST)) return parseJson(raw);
  const end = raw.indexOf('"', PROMPT_FIRST.length);
  if (end === -1) return undefined;
  const prompt = raw.slice(PROMPT_FIRST.length, end);
  const rest = raw.slice(end + 1);
  // a later "prompt" key (JSON.parse keeps the last) is spelled out, or escaped with \u
  if (NOT_VERBATIM.test(prompt) || rest.includes('"prompt"') || rest.includes('\\u')) return parseJson(raw);
  const value = parseJson(`{"prompt":""${rest}`);
  if (isJsonObject(value)) value.prompt = prompt;
  return value;
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
