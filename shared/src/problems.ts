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
