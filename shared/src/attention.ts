import type { CustomerHealthCode, CustomerSyncCode } from './problems';

type CustomerCode = CustomerHealthCode | CustomerSyncCode;

/**
 * The customer problems that are warnings (SPEC §2): nothing is broken for the customer. Every
 * other customer code is an error, and errors are what "Needs attention" lists.
 */
export const CUSTOMER_WARNING_CODES: readonly string[] = ['NO_TTL', 'LEGACY_KEYS', 'NO_STRIPE_CUSTOMER'];

export const isErrorLevelCustomerCode = (code: string) => !CUSTOMER_WARNING_CODES.includes(code);

/** Customer problem codes in words, for chips and lists; the code is shown beside them. */
export const CUSTOMER_PROBLEM_NAMES: Record<CustomerCode, string> = {
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
};

/** A code in words; codes added later (or unknown to this build) fall back to the code itself. */
export const problemName = (code: string): string =>
  (CUSTOMER_PROBLEM_NAMES as Record<string, string>)[code] ?? code.toLowerCase().replaceAll('_', ' ');

/**
 * Names and emails compared the way people type them: case and accents ignored ("Wisniewski"
 * finds "Wiśniewski"), letters the decomposition leaves alone (ł, ø, ß) mapped by hand.
 */
const UNDECOMPOSED: Record<string, string> = { ł: 'l', ø: 'o', ß: 'ss', đ: 'd', æ: 'ae', œ: 'oe', ı: 'i' };
export function foldText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[łøßđæœı]/g, (char) => UNDECOMPOSED[char] ?? char);
}

/** The words of a name or email for prefix search: folded, split at anything not a letter or digit. */
export const searchWords = (text: string): string[] =>
  foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
