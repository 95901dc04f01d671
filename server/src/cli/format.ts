import {
  type DiffableWrite,
  diffWrite,
  type FieldChange,
  formatDuration,
  isUnchanged,
  problemTitle,
  timestampAsDate,
} from '@cache-doctor/shared';
import { AppError } from '../lib/app-error';
import { type CliIo, EXIT } from './command';

/** `1 d 2 h`, `14 min`, `no expiry`, `missing` — a TTL as a person reads it (as the pages say it). */
export function formatTtl(ttl: number): string {
  if (ttl === -2) return 'missing';
  if (ttl === -1) return 'no expiry';
  return formatDuration(ttl);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * A failed operation: its stable code and message (JSON on stdout with --json, words on stderr
 * otherwise). Anything that is not a deliberate refusal is an unexpected failure.
 */
export function reportError(io: CliIo, error: unknown, asJson: boolean): number {
  const code = error instanceof AppError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (asJson) io.out(json({ error: { code, message } }));
  else io.err(`error ${code}: ${message}`);
  return EXIT.failed;
}

/** A field's value in a plan: timestamps also as a UTC date, long values cut. */
function shownValue(value: unknown): string {
  const text = truncate(typeof value === 'string' ? value : JSON.stringify(value), 72);
  const date = timestampAsDate(value);
  return date && typeof value === 'number'
    ? `${text} (${date.toISOString().slice(0, 16).replace('T', ' ')} UTC)`
    : text;
}

function describeChange(change: FieldChange): string {
  if (change.kind === 'added') return `(none) → ${shownValue(change.after)}`;
  if (change.kind === 'removed') return `${shownValue(change.before)} → (none)`;
  return `${shownValue(change.before)} → ${shownValue(change.after)}`;
}

const WRITE_MARKS = { create: '+ new', delete: '- removed', update: '~ changed', unchanged: '= unchanged' };

/**
 * A plan's writes as a person checks them at the terminal before confirming (the same diff the
 * pages show): per key what happens to it, and the fields that change, before → after.
 */
export function planLines(writes: readonly (DiffableWrite & { unchanged?: unknown })[]): string[] {
  return writes.flatMap((write) => {
    if (isUnchanged(write)) return [`  ${WRITE_MARKS.unchanged}: ${write.key}`];
    const { kind, changes } = diffWrite(write);
    const fields = kind === 'delete' ? [] : changes;
    return [
      `  ${WRITE_MARKS[kind]}: ${write.key}`,
      ...fields.map((change) => `      ${change.path || 'value'}: ${describeChange(change)}`),
    ];
  });
}

/** A user as the pages' lists name them: email and name first, the id beside them. */
export function personLine(user: { userId: string; email?: string | null; name?: string | null }): string {
  const who = [user.email, user.name].filter(Boolean).join(' — ');
  return who ? `${who} (${user.userId})` : user.userId;
}

/** Problem codes in words, each with its code beside it: "Subscription record missing (SUBSCRIPTION_MISSING)". */
export const problemsInWords = (codes: readonly string[]) =>
  codes.map((code) => `${problemTitle(code)} (${code})`).join('; ');
