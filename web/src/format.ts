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

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString();
}

/** A Redis TTL in words: -1 never expires, -2 the key does not exist (SPEC §1.1 semantics). */
export function formatTtl(seconds: number): string {
  if (seconds === -1) return 'no expiry';
  if (seconds === -2 || seconds < -2) return 'missing';
  return formatDuration(seconds);
}

/** A span of whole seconds in the two largest units: "2 d 3 h", "5 min 10 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  const rest = seconds % 60;
  return rest > 0 ? `${minutes} min ${rest} s` : `${minutes} min`;
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

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
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
