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
