import { z } from 'zod';

/**
 * Automatic repairs (SPEC §3, §6.4): policies that repair what the scheduled sweeps found, each
 * through the same confirmed-plan write path as a person's click, within an hourly limit.
 */

export const POLICY_NAMES = ['generate-unprocessed', 'retry-failed-generation', 'refresh-drifted'] as const;
export const policyNameSchema = z.enum(POLICY_NAMES);
export type PolicyName = z.infer<typeof policyNameSchema>;

export const POLICY_MODES = ['off', 'dry-run', 'on'] as const;
export const policyModeSchema = z.enum(POLICY_MODES);
export type PolicyMode = z.infer<typeof policyModeSchema>;

/** The audit actor of a policy's actions (SPEC §3): `policy:<name>`. */
export const policyActorId = (name: PolicyName) => `policy:${name}`;
export const isPolicyActor = (actor: string) => actor.startsWith('policy:');

/** What each policy does, in words, and the problems that trigger it (the page shows both). */
export const POLICY_DESCRIPTIONS: Record<PolicyName, { action: string; trigger: string; codes: string[] }> = {
  'generate-unprocessed': {
    action: 'Generate video',
    trigger: 'A paid session with no webhook status, older than the minimum age',
    codes: ['WEBHOOK_MISSING'],
  },
  'retry-failed-generation': {
    action: 'Generate again',
    trigger: 'A generation that failed with an error that is not terminal; once per session',
    codes: ['GENERATION_FAILED'],
  },
  'refresh-drifted': {
    action: 'Refresh cache',
    trigger: "A user's cached subscriptions, payment method or email differ from Stripe or Clerk",
    codes: ['SUBSCRIPTIONS_STALE', 'PAYMENT_METHOD_STALE', 'EMAIL_MISMATCH_CLERK', 'EMAIL_MISMATCH_STRIPE'],
  },
};

/**
 * `applied`: the repair was written; `failed`: it was tried and failed; `skipped`: it was not
 * needed or not allowed any more (a person changed the target, the plan was refused);
 * `stopped`: the policy stopped itself here (hourly limit, failures in a row).
 */
export const POLICY_RESULTS = ['applied', 'failed', 'skipped', 'stopped'] as const;
export type PolicyResult = (typeof POLICY_RESULTS)[number];

export const policyActionSchema = z.object({
  at: z.string(),
  target: z.string(),
  problem: z.string(),
  result: z.enum(POLICY_RESULTS),
  message: z.string(),
  auditId: z.string().nullable().optional(),
});
export type PolicyAction = z.infer<typeof policyActionSchema>;

export const policyWouldDoSchema = z.object({
  target: z.string(),
  problem: z.string(),
  /** ISO: since when the problem is known (the checkout's creation, the first sweep that saw it) */
  since: z.string(),
  /** false: the hourly limit would stop the policy before it got here */
  withinLimit: z.boolean(),
});
export type PolicyWouldDo = z.infer<typeof policyWouldDoSchema>;

export const policyViewSchema = z.object({
  name: policyNameSchema,
  mode: policyModeSchema,
  maxPerHour: z.number().int(),
  minAgeMs: z.number().int().optional(),
  actionsLastHour: z.number().int(),
  /** why the policy turned itself off, if it did (an admin switching it back on clears it) */
  stopped: z.object({ at: z.string(), reason: z.string() }).nullable(),
  lastActions: z.array(policyActionSchema),
  /** dry-run: what the latest run would have done, and when it looked */
  wouldDo: z.array(policyWouldDoSchema).optional(),
  wouldDoAt: z.string().nullable().optional(),
});
export type PolicyView = z.infer<typeof policyViewSchema>;

export const policiesResponseSchema = z.object({
  paused: z.boolean(),
  pausedAt: z.string().nullable(),
  pausedBy: z.string().nullable(),
  policies: z.array(policyViewSchema),
  /** who each user a target list names is (issue #21: people, not ids), by user id; best effort */
  people: z
    .record(z.string(), z.object({ email: z.string().nullable(), name: z.string().nullable() }))
    .optional(),
});
export type PoliciesResponse = z.infer<typeof policiesResponseSchema>;

/** `PUT /api/policies/:name`: at least one field; limits that keep a policy meaningful. */
export const updatePolicySchema = z
  .object({
    mode: policyModeSchema.optional(),
    maxPerHour: z.number().int().min(1).max(10_000).optional(),
    minAgeMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400_000)
      .optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, {
    message: 'name at least one of mode, maxPerHour, minAgeMs',
  });
export type UpdatePolicy = z.infer<typeof updatePolicySchema>;

/** The ranges of the "Actions per policy" chart; its figures are counted per hour. */
export const POLICY_ACTIVITY_RANGES = ['24h', '7d'] as const;
export const policyActivityRangeSchema = z.enum(POLICY_ACTIVITY_RANGES);
export type PolicyActivityRange = z.infer<typeof policyActivityRangeSchema>;

/**
 * One hour of one policy: its actions by result (the figures behind
 * `cache_doctor_policy_actions_total`), and `wouldDo`, the targets its dry runs listed for the
 * first time in that hour.
 */
export const policyActivityPointSchema = z.object({
  /** the hour's start (ms) */
  t: z.number().int(),
  applied: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  stopped: z.number().int().nonnegative(),
  wouldDo: z.number().int().nonnegative(),
});
export type PolicyActivityPoint = z.infer<typeof policyActivityPointSchema>;

/** `GET /api/policies/activity?range=`: every hour of the range, oldest first, for each policy. */
export const policyActivitySchema = z.object({
  range: policyActivityRangeSchema,
  bucketMs: z.number().int().positive(),
  policies: z.array(
    z.object({
      name: policyNameSchema,
      /** the hourly limit today (applied and failed actions count toward it) */
      maxPerHour: z.number().int(),
      points: z.array(policyActivityPointSchema),
    }),
  ),
});
export type PolicyActivity = z.infer<typeof policyActivitySchema>;
