import type { GenerationView } from '@cache-doctor/shared';
import { readSession } from './session-record';
import { detectLayout, type LayoutSetting, type SessionSnapshot } from './session-snapshot';

/**
 * What the generation API says about one file (SPEC §6.4), read from its `GET /api/v1/file/{id}`
 * answer: finished when its `status` is `completed` or it has a `url`; failed when its `status` is
 * `error` or `failed`; otherwise still running.
 */
export interface GenerationFileFacts {
  fileId: string;
  state: 'running' | 'completed' | 'failed';
  url: string | null;
  /** the provider's own error text, when it failed */
  error: string | null;
  /** the provider's `created_at` (ISO), when it gave one */
  createdAt: string | null;
  /** when Cache Doctor asked (ISO) */
  checkedAt: string;
}

/** The answer to "what became of this file": known, or why the generation API could not tell. */
export type GenerationLookup =
  | { kind: 'known'; file: GenerationFileFacts }
  | { kind: 'unavailable'; fileId: string; reason: string; checkedAt: string };

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value : null;

export function generationFileFacts(fileId: string, body: unknown, checkedAt: string): GenerationFileFacts {
  const file = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const status = text(file.status)?.toLowerCase() ?? null;
  const url = text(file.url);
  const state =
    status === 'completed' || (url !== null && status !== 'error' && status !== 'failed')
      ? 'completed'
      : status === 'error' || status === 'failed'
        ? 'failed'
        : 'running';
  const error =
    text(file.error) ??
    text((file.error as { message?: unknown } | null)?.message) ??
    (state === 'failed' ? 'the generation API gave no reason' : null);
  return {
    fileId,
    state,
    url,
    error: state === 'failed' ? error : null,
    createdAt: text(file.created_at),
    checkedAt,
  };
}

/**
 * Provider errors that another attempt with the same prompt cannot get past: the prompt was refused
 * (content policy, safety, moderation) or the request itself is invalid. Generating again would
 * fail the same way; the customer has to be told, and usually asked for another prompt.
 */
const TERMINAL_ERROR =
  /content[\s_-]?polic|safety|moderat|prohibited|violat|not allowed|disallowed|refused|rejected|inappropriate|invalid (prompt|request|input)/i;

export const isTerminalGenerationError = (error: string | null): boolean =>
  error !== null && TERMINAL_ERROR.test(error);

/** The `generation` field of a session's page (SPEC §6.3). */
export function generationView(lookup: GenerationLookup): GenerationView {
  if (lookup.kind === 'unavailable')
    return {
      fileId: lookup.fileId,
      state: 'unknown',
      error: lookup.reason,
      checkedAt: lookup.checkedAt,
    };
  const { file } = lookup;
  return {
    fileId: file.fileId,
    state: file.state,
    ...(file.url !== null && { url: file.url }),
    ...(file.error !== null && { error: file.error }),
    checkedAt: file.checkedAt,
  };
}

/** The file whose state decides the diagnosis: a `processing` session's `fileId`; else null. */
export function startedFileId(snapshot: SessionSnapshot, layoutSetting: LayoutSetting): string | null {
  const record = readSession(snapshot, detectLayout(snapshot, layoutSetting));
  return record.status === 'processing' && record.issues.length === 0 ? record.fileId : null;
}
