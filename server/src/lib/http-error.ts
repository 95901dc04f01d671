import type { ErrorCode } from '@cache-doctor/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The one way a handler fails on purpose: a status, a stable code (SPEC §6) and plain words. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const errorBody = (code: string, message: string, details?: unknown) => ({
  error: details === undefined ? { code, message } : { code, message, details },
});
