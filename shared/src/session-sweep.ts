import { z } from 'zod';
import { sessionIdSchema } from './ids';
import { SESSION_CODES, type SessionCode } from './problems';
import { SESSION_LAYOUTS, webhookStatusSchema } from './sessions';

/**
 * SPEC §6.3 `GET /api/sessions?problem=unprocessed&since=<ISO>&cursor=`: paid checkout sessions
 * (Stripe's list, `status=complete`) whose Redis records show no processing, beside the Stripe
 * events whose webhook delivery failed.
 */

/** A session's diagnosis as `GET /api/sessions/:sessionId` gives it (SPEC §2). */
export const sessionDiagnosisSchema = z.object({
  code: z.enum(SESSION_CODES),
  /** 'info' only for OK */
  severity: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  fixes: z.array(z.enum(['fix-session', 'generate'])),
  layout: z.enum(SESSION_LAYOUTS),
  /** the webhook status the cache holds, when it holds a readable one */
  status: webhookStatusSchema.optional(),
});
export type SessionDiagnosisView = z.infer<typeof sessionDiagnosisSchema>;

/** The diagnoses that mean "paid, and no video made or on its way". */
export const UNPROCESSED_CODES = [
  'WEBHOOK_MISSING',
  'STUCK',
  'WEBHOOK_ERROR',
  'GENERATION_FAILED',
  'GENERATION_STUCK',
] as const satisfies readonly SessionCode[];

/** How far back the list and the sweep look when no `since` is given. */
export const DEFAULT_SWEEP_SINCE_DAYS = 7;

export const sweepSinceSchema = z.iso.datetime({
  offset: true,
  message: 'must be an ISO date-time, e.g. 2026-01-31T00:00:00Z',
});

export const unprocessedSessionsQuerySchema = z.object({
  problem: z.literal('unprocessed'),
  /** default: DEFAULT_SWEEP_SINCE_DAYS days ago */
  since: sweepSinceSchema.optional(),
  /** the previous answer's `cursor`: where Stripe's list goes on */
  cursor: sessionIdSchema.optional(),
});
export type UnprocessedSessionsQuery = z.infer<typeof unprocessedSessionsQuerySchema>;

export const unprocessedSessionSchema = z.object({
  sessionId: z.string(),
  /** Stripe's `created`, unix seconds */
  created: z.number().int(),
  /** Stripe's `amount_total`, in the currency's smallest unit (cents) */
  amountTotal: z.number().int().nullable(),
  /** ISO currency code, lower case as Stripe sends it */
  currency: z.string().nullable(),
  customerEmail: z.string().nullable(),
  diagnosis: sessionDiagnosisSchema,
  /** staff marked it failed ("Mark as failed"): the customer sees an error and still has no video */
  markedFailed: z.boolean(),
  /** failed-delivery events (of `failedEvents`) about this session */
  eventIds: z.array(z.string()),
});
export type UnprocessedSession = z.infer<typeof unprocessedSessionSchema>;

export const failedEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  /** unix seconds */
  created: z.number().int(),
  /** the checkout session the event is about; null when it is about something else */
  sessionId: z.string().nullable(),
});
export type FailedEvent = z.infer<typeof failedEventSchema>;

export const unprocessedSessionsResponseSchema = z.object({
  sessions: z.array(unprocessedSessionSchema),
  /** every failed-delivery event since `since` (the same list on every page) */
  failedEvents: z.array(failedEventSchema),
  /** completed checkout sessions this page looked at */
  checked: z.number().int(),
  /** pass as `cursor` for the next page; null when Stripe's list is exhausted */
  cursor: z.string().nullable(),
  /** the `since` used, ISO */
  since: z.string(),
});
export type UnprocessedSessionsResponse = z.infer<typeof unprocessedSessionsResponseSchema>;
