/**
 * Spans of time as people read them, in the two largest units: "6 d 9 h", "5 min 10 s", never
 * "9199 minutes". One formatter for the pages, the server's messages and the CLI.
 */
export function formatDuration(span: number): string {
  const seconds = Math.max(0, Math.round(span));
  if (seconds < 60) return `${seconds} s`;
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  const rest = seconds % 60;
  return rest > 0 ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** A span of milliseconds: under a second as "450 ms", else as {@link formatDuration} gives it. */
export function formatDurationMs(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : formatDuration(ms / 1000);
}
