import type { CustomerRecord, customerRecordSchema, SubscriptionRecord } from '@cache-doctor/shared';
import { normalizeEmail } from '../keys';
import type { JsonObject } from './cached-value';
import type { ClerkUserFacts, LiveStripeCustomerFacts, StripeSubscriptionFacts } from './upstream-facts';

/**
 * The customer record's rules (SPEC §1.1) and the comparisons every customer view shares, so
 * health, sync, check-kv-sync and refresh agree on what "missing" and "the same" mean.
 */

type FieldType = 'identity' | 'text-or-null' | 'number' | 'id-list';

/** Keyed by the shared schema's fields, so a field added there must be given a rule here. */
const RECORD_FIELDS: Record<keyof typeof customerRecordSchema.shape, FieldType> = {
  stripeCustomerId: 'identity',
  email: 'identity',
  userId: 'identity',
  name: 'text-or-null',
  subscriptions: 'id-list',
  defaultPaymentMethod: 'text-or-null',
  created: 'number',
  updatedAt: 'number',
};

const EXPECTED: Record<FieldType, string> = {
  identity: 'text',
  'text-or-null': 'text or null',
  number: 'a number',
  'id-list': 'a list of subscription ids',
};

export interface InvalidField {
  field: string;
  expected: string;
  /** what the record holds instead, in words */
  found: string;
}

export interface RecordFieldReport {
  /** absent fields, and identity fields (`stripeCustomerId`, `email`, `userId`) that are null or empty */
  missing: string[];
  invalid: InvalidField[];
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** A value's type in words, for messages: `text "1709251200"`, `a number`, `a list`, ... */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value))
    return value.every((item) => typeof item === 'string') ? 'a list' : 'a list holding non-text items';
  if (typeof value === 'string')
    return `text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function isValid(type: FieldType, value: unknown): boolean {
  switch (type) {
    case 'identity':
      return typeof value === 'string';
    case 'text-or-null':
      return value === null || typeof value === 'string';
    case 'number':
      return isNumber(value);
    case 'id-list':
      return Array.isArray(value) && value.every((id) => typeof id === 'string');
  }
}

/**
 * `name` and `defaultPaymentMethod` may be left out (readers take that as null); every other
 * field must be there. `updatedAt` in seconds or milliseconds is equally valid (see `toMillis`).
 * Unknown extra fields are the app's business and never a problem.
 */
export function checkRecordFields(record: JsonObject): RecordFieldReport {
  const report: RecordFieldReport = { missing: [], invalid: [] };
  for (const [field, type] of Object.entries(RECORD_FIELDS)) {
    const value = record[field];
    const absent = value === undefined || (type === 'identity' && (value === null || value === ''));
    if (absent) {
      if (type !== 'text-or-null') report.missing.push(field);
    } else if (!isValid(type, value)) {
      report.invalid.push({ field, expected: EXPECTED[type], found: describeValue(value) });
    }
  }
  return report;
}

/** A text field's value, or null when the record does not hold text there. */
export const textField = (record: JsonObject | null, field: string): string | null =>
  typeof record?.[field] === 'string' ? (record[field] as string) : null;

/** "No email" is stored as `''` (cache) or null (Stripe, Clerk): they mean the same. Non-text never matches. */
function comparableEmail(value: unknown): string | null {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? normalizeEmail(value) : null;
}

/** Emails are case-insensitive (SPEC §1.1 keys lowercase them). */
export function sameEmail(a: unknown, b: unknown): boolean {
  const left = comparableEmail(a);
  return left !== null && left === comparableEmail(b);
}

/** The name as the app derives it from Clerk: first and last name, empty parts dropped, joined by a space. */
export function clerkFullName(clerk: Pick<ClerkUserFacts, 'firstName' | 'lastName'>): string {
  return [clerk.firstName, clerk.lastName]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
}

/** A cached name of null means "no name", the same as Clerk's empty one. Names are case-sensitive. */
export function sameName(cached: unknown, expected: string | null): boolean {
  const left =
    cached === null || cached === undefined ? '' : typeof cached === 'string' ? cached.trim() : null;
  return left !== null && left === (expected ?? '').trim();
}

/**
 * The known fields of the customer record a refresh writes — the app's own mapping from Stripe
 * (SPEC §1.1), with two fallbacks for what Stripe lacks: the Clerk name when the customer has no
 * name, and the refreshed user's id when `metadata.userId` is not set (the record is being
 * written for that user, and an empty `userId` would be FIELDS_MISSING at once).
 */
export function customerFieldsFromUpstream(
  userId: string,
  clerk: ClerkUserFacts | null,
  stripe: LiveStripeCustomerFacts,
  nowMs: number,
): CustomerRecord {
  return {
    stripeCustomerId: stripe.id,
    email: stripe.email ?? '',
    userId: stripe.userId ?? userId,
    name: stripe.name ?? (clerk && clerkFullName(clerk) !== '' ? clerkFullName(clerk) : null),
    subscriptions: stripe.subscriptions.map((subscription) => subscription.id),
    defaultPaymentMethod: stripe.defaultPaymentMethod,
    created: stripe.created,
    updatedAt: nowMs,
  };
}

export function subscriptionFieldsFromUpstream(
  subscription: StripeSubscriptionFacts,
  nowMs: number,
): SubscriptionRecord {
  return {
    id: subscription.id,
    customerId: subscription.customerId,
    status: subscription.status,
    priceId: subscription.priceId,
    productId: subscription.productId,
    currentPeriodEnd: subscription.currentPeriodEnd,
    cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
    created: subscription.created,
    updatedAt: nowMs,
  };
}
