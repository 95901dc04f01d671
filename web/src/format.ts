import { formatDuration } from '@cache-doctor/shared';

export { formatDuration, formatDurationMs } from '@cache-doctor/shared';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Bytes in the 1024-based units Redis's INFO uses. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'not measured';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Used / max memory; `maxmemory 0` means Redis may grow without bound. */
export function formatMemory(used: number | null, max: number | null): string {
  if (used === null) return 'unknown';
  if (max === null) return `${formatBytes(used)} used`;
  if (max === 0) return `${formatBytes(used)} / no limit`;
  return `${formatBytes(used)} / ${formatBytes(max)} (${Math.round((used / max) * 100)}%)`;
}

/** A Redis TTL in words: -1 never expires, -2 the key does not exist (SPEC §1.1 semantics). */
export function formatTtl(seconds: number): string {
  if (seconds === -1) return 'no expiry';
  if (seconds <= -2) return 'key does not exist';
  return `${formatDuration(seconds)} left`;
}

/**
 * A stored value for reading: strings as they are (a raw Redis value is shown raw, so a malformed
 * one looks malformed), anything else as indented JSON. `null`/`undefined` read as "(none)".
 */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** A raw string that holds JSON, indented; anything else as {@link formatValue} gives it. */
export function formatRaw(value: unknown): string {
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      try {
        return JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        return value;
      }
    }
  }
  return formatValue(value);
}

/** A moment as the API sends it: ISO text, epoch milliseconds or a Date. */
export type Moment = string | number | Date;

/** The moment as a Date, or null when there is none or it is not a time (so callers show it raw). */
export function toDate(at: Moment | null | undefined): Date | null {
  if (at === null || at === undefined || at === '') return null;
  const date = at instanceof Date ? at : new Date(at);
  return Number.isNaN(date.getTime()) ? null : date;
}

// One formatter each, in the reader's locale and time zone: every date on every page reads alike.
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** How a moment that is not a time reads: the text as sent (never hidden), or `none` when absent. */
const unreadable = (at: Moment | null | undefined, none: string) =>
  at === null || at === undefined || at === '' ? none : String(at);

/** "Dec 2, 2026, 2:03 PM" in the reader's locale; text that is no time is shown as it is. */
export function formatDateTime(at: Moment | null | undefined, none = 'no date'): string {
  const date = toDate(at);
  return date ? DATE_TIME.format(date) : unreadable(at, none);
}

/** "Dec 2, 2026". */
export function formatDate(at: Moment | null | undefined, none = 'no date'): string {
  const date = toDate(at);
  return date ? DATE.format(date) : unreadable(at, none);
}

/** "2:03:10 PM": only where the day is plain (a page's own last check). */
export function formatTime(at: Moment | null | undefined, none = 'no time'): string {
  const date = toDate(at);
  return date ? TIME.format(date) : unreadable(at, none);
}

const RELATIVE_UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "3 hours ago", "yesterday", "in 5 minutes": the largest whole unit, in the reader's language. */
export function formatRelative(
  at: Moment | null | undefined,
  now: number = Date.now(),
  none = 'no date',
): string {
  const date = toDate(at);
  if (!date) return unreadable(at, none);
  const span = date.getTime() - now;
  const [unit, size] = RELATIVE_UNITS.find(([, unitMs]) => Math.abs(span) >= unitMs) ?? ['second', 1000];
  return RELATIVE.format(Math.trunc(span / size), unit);
}

/**
 * An amount in a currency's smallest unit, as Stripe sends it (`amount_total` 1999 + `usd` →
 * "$19.99"; zero-decimal currencies like JPY are not divided).
 */
export function formatMoney(amount: number | null, currency: string | null): string {
  if (amount === null) return 'unknown';
  if (!currency) return String(amount);
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() });
    return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    // not an ISO currency code Intl knows: the raw figure beats hiding it
    return `${amount} ${currency}`;
  }
}

/** A count with its noun, singular for exactly one: "1 user", "1,200 users". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
