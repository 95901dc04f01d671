import { z } from 'zod';

/** Stable error codes of the HTTP API; clients branch on these, never on messages. */
export const ERROR_CODES = [
  'INVALID_ID',
  'INVALID_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NO_ROLE',
  'NOT_FOUND',
  'USER_NOT_FOUND',
  'CUSTOMER_NOT_FOUND',
  'SESSION_NOT_FOUND',
  'AUDIT_ENTRY_NOT_FOUND',
  'CONFLICT',
  'NOTHING_TO_CACHE',
  'STATUS_EXISTS',
  'PAYMENT_NOT_COMPLETED',
  'SESSION_MALFORMED',
  'ACTION_NOT_AVAILABLE',
  'UNDO_CONFLICT',
  'NOT_UNDOABLE',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'PLAN_CHANGED',
  'REDIS_UNAVAILABLE',
  'UPSTREAM_ERROR',
  'GENERATION_NOT_CONFIGURED',
  'GENERATION_OUTCOME_UNKNOWN',
  /** a Generate is talking to the generation API (or just started a video): Fix must not say "not started" */
  'GENERATION_IN_PROGRESS',
  'DEMO_DISABLED',
  'INTERNAL',
] as const;

export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;
