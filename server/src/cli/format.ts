import { AppError } from '../lib/app-error';
import { type CliIo, EXIT } from './command';

/** `2d 3h`, `14m`, `no expiry`, `missing` — a TTL as a person reads it. */
export function formatTtl(ttl: number): string {
  if (ttl === -2) return 'missing';
  if (ttl === -1) return 'no expiry';
  const days = Math.floor(ttl / 86_400);
  const hours = Math.floor((ttl % 86_400) / 3600);
  const minutes = Math.floor((ttl % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return minutes > 0 ? `${minutes}m` : `${ttl}s`;
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
