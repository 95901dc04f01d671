import type { BadgeTone } from '../../components/StatusBadge/StatusBadge';

/** A Redis TTL in words: -1 never expires, -2 the key does not exist. */
export function ttlInWords(seconds: number): string {
  if (seconds === -1) return 'no expiry';
  if (seconds <= -2) return 'key does not exist';
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h left`;
  if (hours > 0) return `${hours} h ${minutes} min left`;
  return minutes > 0 ? `${minutes} min left` : `${seconds} s left`;
}

/** A raw value for reading: JSON indented, anything else exactly as stored. */
export function prettyRaw(raw: string | null): string {
  if (raw === null) return '(none)';
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null) return JSON.stringify(parsed, null, 2);
  } catch {
    // not JSON: shown as stored, so a malformed value looks malformed
  }
  return raw;
}

export function severityTone(severity: string): BadgeTone {
  if (severity === 'error') return 'danger';
  if (severity === 'warning') return 'warning';
  return 'ok';
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return 'no date';
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : new Date(time).toLocaleString();
}

/** A field of a parsed record, when it is text. */
export function textField(value: unknown, field: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const item = (value as Record<string, unknown>)[field];
  return typeof item === 'string' ? item : null;
}
