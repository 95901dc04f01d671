import { z } from 'zod';

/** SPEC §2 — stable problem codes. Clients and tests key on these; never rename one. */
export const CUSTOMER_HEALTH_CODES = [
  'MAPPING_MISSING',
  'MAPPING_MALFORMED',
  'CUSTOMER_MISSING',
  'CUSTOMER_MALFORMED',
  'FIELDS_MISSING',
  'FIELD_TYPE_INVALID',
  'USER_MISMATCH',
  'CUSTOMER_ID_MISMATCH',
  'EMAIL_MAPPING_MISSING',
  'SUBSCRIPTION_MISSING',
  'LEGACY_KEYS',
  'NO_TTL',
] as const;

export const CUSTOMER_SYNC_CODES = [
  'CLERK_USER_NOT_FOUND',
  'EMAIL_MISMATCH_CLERK',
  'NAME_MISMATCH_CLERK',
  'STRIPE_CUSTOMER_NOT_FOUND',
  'EMAIL_MISMATCH_STRIPE',
  'SUBSCRIPTIONS_STALE',
  'PAYMENT_METHOD_STALE',
  'NO_STRIPE_CUSTOMER',
] as const;

export const SESSION_CODES = [
  'OK',
  'NOT_FOUND',
  'WEBHOOK_MISSING',
  'SESSION_MAPPING_MISSING',
  'PROMPT_MISSING',
  'WEBHOOK_ERROR',
  'STUCK',
  'GENERATION_FAILED',
  'GENERATION_STUCK',
  'PAYMENT_NOT_COMPLETED',
  'MALFORMED',
] as const;

export type CustomerHealthCode = (typeof CUSTOMER_HEALTH_CODES)[number];
export type CustomerSyncCode = (typeof CUSTOMER_SYNC_CODES)[number];
export type SessionCode = (typeof SESSION_CODES)[number];
export type ProblemCode = CustomerHealthCode | CustomerSyncCode | SessionCode;

export const FIXES = ['refresh', 'fix-session', 'generate', 'remove'] as const;
export const fixSchema = z.enum(FIXES);
export type Fix = z.infer<typeof fixSchema>;

export const problemSchema = z.object({
  code: z.enum([...CUSTOMER_HEALTH_CODES, ...CUSTOMER_SYNC_CODES, ...SESSION_CODES]),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  fix: fixSchema.optional(),
});
export type Problem = z.infer<typeof problemSchema>;

/** The part of a problem the pages show; every payload's problems (of any code list) have at least these. */
export type ProblemView = Pick<Problem, 'severity' | 'message'> & { code: string };

/**
 * What each customer code asks for, for lists that carry codes only (a sweep's results): its
 * severity and the repair the user page offers for it (none: a person looks). As the diagnoses set
 * them for a cached user; CLERK_USER_NOT_FOUND and STRIPE_CUSTOMER_NOT_FOUND ask "Remove keys".
 * A fix is named only where the diagnosis offers it whenever a refresh can run: a Clerk email or
 * name that differs is the cache's to fix only when Stripe already agrees with Clerk, which a code
 * alone cannot tell — so those read as a person's to look at, never as "Needs a refresh".
 */
export const CUSTOMER_PROBLEM_KINDS: Record<
  CustomerHealthCode | CustomerSyncCode,
  { severity: Problem['severity']; fix?: Fix }
> = {
  MAPPING_MISSING: { severity: 'error', fix: 'refresh' },
  MAPPING_MALFORMED: { severity: 'error', fix: 'refresh' },
  CUSTOMER_MISSING: { severity: 'error', fix: 'refresh' },
  CUSTOMER_MALFORMED: { severity: 'error', fix: 'refresh' },
  FIELDS_MISSING: { severity: 'error', fix: 'refresh' },
  FIELD_TYPE_INVALID: { severity: 'error', fix: 'refresh' },
  USER_MISMATCH: { severity: 'error', fix: 'refresh' },
  CUSTOMER_ID_MISMATCH: { severity: 'error', fix: 'refresh' },
  EMAIL_MAPPING_MISSING: { severity: 'error', fix: 'refresh' },
  SUBSCRIPTION_MISSING: { severity: 'error', fix: 'refresh' },
  LEGACY_KEYS: { severity: 'warning', fix: 'remove' },
  NO_TTL: { severity: 'warning', fix: 'refresh' },
  CLERK_USER_NOT_FOUND: { severity: 'error', fix: 'remove' },
  EMAIL_MISMATCH_CLERK: { severity: 'error' },
  NAME_MISMATCH_CLERK: { severity: 'error' },
  STRIPE_CUSTOMER_NOT_FOUND: { severity: 'error', fix: 'remove' },
  EMAIL_MISMATCH_STRIPE: { severity: 'error', fix: 'refresh' },
  SUBSCRIPTIONS_STALE: { severity: 'error', fix: 'refresh' },
  PAYMENT_METHOD_STALE: { severity: 'error', fix: 'refresh' },
  NO_STRIPE_CUSTOMER: { severity: 'warning' },
};
