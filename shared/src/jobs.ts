import { z } from 'zod';
import { userIdSchema } from './ids';
import { SESSION_CODES } from './problems';
import { sweepSinceSchema } from './session-sweep';

/** SPEC §6.4 — bulk jobs. The request bodies, the job view and the per-user results. */
export const JOB_TYPES = ['sweep', 'bulk-refresh', 'rebuild', 'session-sweep'] as const;
export const jobTypeSchema = z.enum(JOB_TYPES);
export type JobType = z.infer<typeof jobTypeSchema>;

/** session-sweep: list the unprocessed paid sessions, or also Fix session / Generate video each one. */
export const SESSION_SWEEP_ACTIONS = ['report', 'fix', 'generate'] as const;
export const sessionSweepActionSchema = z.enum(SESSION_SWEEP_ACTIONS);
export type SessionSweepAction = z.infer<typeof sessionSweepActionSchema>;

/** The most users one bulk-refresh may name (each costs its own Stripe read). */
export const MAX_BULK_REFRESH_USERS = 10_000;

export const createJobSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sweep') }),
  z.object({ type: z.literal('rebuild') }),
  z.object({
    type: z.literal('bulk-refresh'),
    userIds: z.array(userIdSchema).min(1).max(MAX_BULK_REFRESH_USERS),
  }),
  z.object({
    type: z.literal('session-sweep'),
    /** ISO; default DEFAULT_SWEEP_SINCE_DAYS days ago */
    since: sweepSinceSchema.optional(),
    action: sessionSweepActionSchema,
  }),
]);
export type CreateJob = z.infer<typeof createJobSchema>;

/**
 * Whether a job writes (to the app's cache, or to sessions): a job that runs beside one that writes
 * may read what is being rewritten, or write the same users twice, so the Jobs page warns.
 */
export const jobWrites = (job: {
  type: JobType;
  sessionSweep?: { action: SessionSweepAction } | undefined;
}) =>
  job.type === 'bulk-refresh' ||
  job.type === 'rebuild' ||
  (job.type === 'session-sweep' && job.sessionSweep !== undefined && job.sessionSweep.action !== 'report');

export const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const jobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof jobStateSchema>;

/** What happened to one user: diagnosed only, cache rewritten, skipped (nothing a refresh can do), or failed. */
export const JOB_OUTCOMES = ['diagnosed', 'refreshed', 'skipped', 'failed'] as const;
export const jobOutcomeSchema = z.enum(JOB_OUTCOMES);
export type JobOutcome = z.infer<typeof jobOutcomeSchema>;

export const jobUserResultSchema = z.object({
  userId: z.string(),
  outcome: jobOutcomeSchema,
  /** problem codes (SPEC §2) found before any write, errors and warnings */
  problems: z.array(z.string()),
  /** true when any problem is an error */
  broken: z.boolean(),
  /** why a refresh was skipped or failed, in words */
  message: z.string().optional(),
  /** who the user is (Clerk's primary email and name, else the Stripe customer's), for lists and CSV */
  email: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  /** each problem's message, in the order of `problems` */
  problemMessages: z.array(z.string()).optional(),
  /** skipped: why, as a short code (`no-stripe-customer`, ...) the Jobs page counts by */
  reason: z.string().optional(),
  /** refreshed: the keys whose value the write changed; empty when it only renewed their expiry */
  changedKeys: z.array(z.string()).optional(),
  /** refreshed: the audit entry of the user's batch (the before- and after-images; undo it there) */
  auditId: z.string().optional(),
});
export type JobUserResult = z.infer<typeof jobUserResultSchema>;

/**
 * What happened to one unprocessed session in a session-sweep: listed only, Fix session applied,
 * generation started, skipped (the action does not apply to its diagnosis), or failed.
 */
export const SESSION_JOB_OUTCOMES = ['reported', 'fixed', 'generated', 'skipped', 'failed'] as const;
export const sessionJobOutcomeSchema = z.enum(SESSION_JOB_OUTCOMES);
export type SessionJobOutcome = z.infer<typeof sessionJobOutcomeSchema>;

export const jobSessionResultSchema = z.object({
  sessionId: z.string(),
  outcome: sessionJobOutcomeSchema,
  /** the diagnosis (SPEC §2) before any write */
  code: z.enum(SESSION_CODES),
  /** the diagnosis in words, or why the action was skipped or failed */
  message: z.string(),
  /** the audit entry of the write (undo it there) */
  auditId: z.string().optional(),
  /** generate: the generation started (or found already started) */
  generationId: z.string().optional(),
  /** skipped: why, as a short code the Jobs page counts by */
  reason: z.string().optional(),
  /** the paying customer's email, when Stripe names one */
  customerEmail: z.string().nullable().optional(),
});
export type JobSessionResult = z.infer<typeof jobSessionResultSchema>;

export const jobProgressSchema = z.object({
  done: z.number().int(),
  total: z.number().int(),
  failed: z.number().int(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobViewSchema = z.object({
  id: z.string(),
  type: jobTypeSchema,
  state: jobStateSchema,
  /** what the job is doing now: reading the upstreams, or diagnosing/writing batches */
  phase: z.enum(['queued', 'collecting', 'processing', 'finished']),
  progress: jobProgressSchema,
  /** the staff id of who started it; `actorName` their display name (null in records made before it was kept) */
  actor: z.string(),
  actorName: z.string().nullable().optional(),
  createdAt: z.string(),
  /** when a worker took it up: its duration runs from here to `finishedAt` (or now) */
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** users with at least one problem, and counts by problem code */
  summary: z.object({ withProblems: z.number().int(), byCode: z.record(z.string(), z.number().int()) }),
  /** results counted by what happened to them (`tallyBucket`); the counts add up to `progress.done` */
  tally: z.record(z.string(), z.number().int()),
  error: z.string().nullable(),
  /** per-user results with problems (and failures), at most `limit`; absent in lists */
  results: z.array(jobUserResultSchema).optional(),
  /** session-sweep only: what it was asked, and how many completed checkout sessions it read */
  sessionSweep: z
    .object({ action: sessionSweepActionSchema, since: z.string(), checked: z.number().int() })
    .optional(),
  /** session-sweep only: one result per unprocessed session, at most `limit`; absent in lists */
  sessionResults: z.array(jobSessionResultSchema).optional(),
});
export type JobView = z.infer<typeof jobViewSchema>;
