import type { ProblemCode } from './problems';

/**
 * Every problem code of SPEC §2 in a few words, for chips, lists, the CLI and CSV exports. The
 * code is always shown beside its title: it is what tests, alerts and runbooks key on.
 */
export const PROBLEM_TITLES: Record<ProblemCode, string> = {
  MAPPING_MISSING: 'No cache entry for the user',
  MAPPING_MALFORMED: 'User mapping is not a customer id',
  CUSTOMER_MISSING: 'Customer record missing',
  CUSTOMER_MALFORMED: 'Customer record unreadable',
  FIELDS_MISSING: 'Customer record incomplete',
  FIELD_TYPE_INVALID: 'Customer field of the wrong type',
  USER_MISMATCH: 'Record belongs to another user',
  CUSTOMER_ID_MISMATCH: 'Record names another customer',
  EMAIL_MAPPING_MISSING: 'Email lookup missing',
  SUBSCRIPTION_MISSING: 'Subscription record missing',
  LEGACY_KEYS: 'Old-layout keys remain',
  NO_TTL: 'Keys never expire',
  CLERK_USER_NOT_FOUND: 'User deleted in Clerk',
  EMAIL_MISMATCH_CLERK: 'Email differs from Clerk',
  NAME_MISMATCH_CLERK: 'Name differs from Clerk',
  STRIPE_CUSTOMER_NOT_FOUND: 'Customer gone from Stripe',
  EMAIL_MISMATCH_STRIPE: 'Email differs from Stripe',
  SUBSCRIPTIONS_STALE: 'Subscriptions out of date',
  PAYMENT_METHOD_STALE: 'Payment method out of date',
  NO_STRIPE_CUSTOMER: 'Never paid (no Stripe customer)',
  OK: 'OK',
  NOT_FOUND: 'Not found',
  WEBHOOK_MISSING: 'Webhook status missing',
  SESSION_MAPPING_MISSING: 'Session lookup missing',
  PROMPT_MISSING: 'Prompt missing',
  WEBHOOK_ERROR: 'Generation failed',
  STUCK: 'Stuck',
  GENERATION_FAILED: 'Video generation failed',
  GENERATION_STUCK: 'Video generation stuck',
  PAYMENT_NOT_COMPLETED: 'Not paid',
  MALFORMED: 'Malformed value',
};

/** A code in words; a code unknown to this build (added later) reads as the code itself, lower-cased. */
export const problemTitle = (code: string): string =>
  (PROBLEM_TITLES as Record<string, string>)[code] ?? code.toLowerCase().replaceAll('_', ' ');

/** Titles of several codes, for one CSV cell or one CLI line: "Email lookup missing; Keys never expire". */
export const problemTitles = (codes: readonly string[]): string => codes.map(problemTitle).join('; ');
