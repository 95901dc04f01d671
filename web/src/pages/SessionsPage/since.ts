import { DEFAULT_SWEEP_SINCE_DAYS } from '@cache-doctor/shared';

/**
 * The "since" of the unprocessed-sessions list. The URL holds it as ISO (a deep link means the
 * same window anywhere); the input shows it in local time, to the minute, as
 * `<input type="datetime-local">` wants it.
 */

const MINUTE_MS = 60_000;

/** The server's default window, pinned once so the list and a bulk job cover the same sessions. */
export function defaultSince(nowMs: number): string {
  const start = nowMs - DEFAULT_SWEEP_SINCE_DAYS * 24 * 60 * MINUTE_MS;
  return new Date(Math.floor(start / MINUTE_MS) * MINUTE_MS).toISOString();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO → "2026-01-31T09:05" in local time; '' for anything that is not a date. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** "2026-01-31T09:05" (local time) → ISO; null when empty or not a date. */
export function fromLocalInput(value: string): string | null {
  if (value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
