import type { ErrorCode } from '@cache-doctor/shared';

/**
 * The one way the core fails on purpose: a stable code of `shared/` (SPEC §2, §6) and plain words.
 * It carries no HTTP status: routes, jobs and the CLI each read the code, and `app.ts` alone maps
 * codes to statuses.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const isAppError = (error: unknown, ...codes: ErrorCode[]): error is AppError =>
  error instanceof AppError && (codes.length === 0 || codes.includes(error.code));

export const errorBody = (code: string, message: string, details?: unknown) => ({
  error: details === undefined ? { code, message } : { code, message, details },
});
