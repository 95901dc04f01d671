import type { KeyState, SessionSnapshot } from './session-snapshot';

/** Builders for the session domain's unit tests (test code only). */

export const SESSION_ID = 'cs_test_a1B2c3';
export const NOW = new Date('2025-06-01T12:00:00.000Z');
export const FIFTEEN_MINUTES = 15 * 60 * 1000;
export const TWO_DAYS_LEFT = 2 * 24 * 60 * 60;

/** An ISO time `ms` before NOW. */
export const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

type KeyName = 'webhook' | 'session' | 'prompt';

export interface SnapshotOptions {
  /** values handed over already parsed, as Upstash REST does */
  parsed?: boolean;
  /** TTL of every present key (default: two days left) */
  ttl?: number;
}

/**
 * A key holding `value`: undefined means the key does not exist; a string is stored as is (so
 * tests can store broken JSON); anything else is stored as JSON.
 */
export function keyState(key: string, value: unknown, options: SnapshotOptions = {}): KeyState {
  if (value === undefined) return { key, exists: false, ttl: -2, raw: null };
  const raw =
    typeof value === 'string' || options.parsed ? (value as string | object) : JSON.stringify(value);
  return { key, exists: true, ttl: options.ttl ?? TWO_DAYS_LEFT, raw };
}

export function snapshotOf(
  values: Partial<Record<KeyName, unknown>>,
  options: SnapshotOptions = {},
): SessionSnapshot {
  return {
    sessionId: SESSION_ID,
    webhook: keyState(`webhook:${SESSION_ID}`, values.webhook, options),
    session: keyState(`session:${SESSION_ID}`, values.session, options),
    prompt: keyState(`prompt:${SESSION_ID}`, values.prompt, options),
  };
}

/** A current-layout record as the app writes it at checkout, before the webhook runs. */
export const sessionOnlyRecord = (fields: Record<string, unknown> = {}) => ({
  prompt: 'A red fox running through fresh snow at dawn',
  videoCount: 1,
  duration: 10,
  resolution: '1080p',
  style: 'cinematic',
  toolSlug: 'text-to-video',
  toolTitle: 'Text to Video',
  createdAt: ago(60 * 60 * 1000),
  ...fields,
});

export const promptRecord = (fields: Record<string, unknown> = {}) => ({
  prompt: 'A lighthouse in a storm, waves crashing',
  timestamp: ago(60 * 60 * 1000),
  ...fields,
});

export const PAID = { status: 'complete', paymentStatus: 'paid' } as const;
export const UNPAID_OPEN = { status: 'open', paymentStatus: 'unpaid' } as const;
