import { z } from 'zod';
import { createJobSchema } from './jobs';

/**
 * Confirmed plans (SPEC §3): a preview answers with a `planId`; the apply sends it back, and the
 * server writes only if planning again gives the same id (else 409 PLAN_CHANGED with the new plan
 * and its id). Ids are the server's digests; anything else is simply a plan that no longer matches.
 */
export const planIdSchema = z.string().min(1).max(128);

/** The body of every previewable write: `{ dryRun?, planId? }`; no other field. */
export const confirmablePlanSchema = z.strictObject({
  dryRun: z.boolean().optional(),
  planId: planIdSchema.optional(),
});
export type ConfirmablePlan = z.infer<typeof confirmablePlanSchema>;

/** `error.details` of a 409 PLAN_CHANGED: the plan as it is now, to show for a second confirmation. */
export interface PlanChanged<Plan> {
  plan: Plan;
  planId: string;
}

/** `POST /api/jobs`: a job to start, with `dryRun` (its plan and planId only) or the `planId` confirmed. */
export const createJobRequestSchema = z.intersection(
  createJobSchema,
  z.object({ dryRun: z.boolean().optional(), planId: planIdSchema.optional() }),
);
