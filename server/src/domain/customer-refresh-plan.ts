import { CUSTOMER_CACHE_TTL_SECONDS, type PlannedWrite } from '@cache-doctor/shared';
import type { Keys } from '../keys';
import { type JsonObject, jsonRecordOrNull, rawString, readMapping } from './cached-value';
import {
  customerFieldsFromUpstream,
  sameEmail,
  subscriptionFieldsFromUpstream,
  textField,
} from './customer-record';
import {
  type CachedKey,
  type CustomerCacheSnapshot,
  type CustomerKeyRequest,
  customerSnapshotKeys,
  readingsByKey,
} from './customer-snapshot';
import {
  type ClerkUserFacts,
  isLiveCustomer,
  type LiveStripeCustomerFacts,
  type StripeCustomerFacts,
} from './upstream-facts';

/**
 * "Refresh one user" (SPEC §3) as a plan: every key the app would write for the Stripe customer,
 * with the value each key holds now (`before`, the compare-and-set guard and undo image) and the
 * value it will hold. Known fields come from Stripe (see `customerFieldsFromUpstream`); fields the
 * app added that Cache Doctor does not know are kept by merging over the existing record.
 */

/** One key of a refresh: shared's `PlannedWrite` (a delete writes null, with no expiry to give). */
export type RefreshChange = PlannedWrite & {
  ttlSeconds: number | null;
  /**
   * The value stays the same. Such writes stay in the plan: applying them renews the 24 h expiry
   * (which repairs NO_TTL), and WATCHing them keeps a concurrent change from slipping in between.
   * The UI shows them dimmed.
   */
  unchanged: boolean;
};

/** A key a refresh writes: always a value (`before` is the stored one, serialised back), with the 24 h TTL. */
export type RefreshWrite = RefreshChange & { after: string; ttlSeconds: number };

export interface RefreshDelete {
  key: string;
  before: string;
  /** why the key goes, in words for the confirm dialog */
  reason: string;
}

export type RefreshRefusal =
  | { kind: 'nothing-to-cache'; reason: 'no-stripe-customer' | 'stripe-customer-deleted'; message: string }
  | { kind: 'customer-of-another-user'; customerId: string; ownerUserId: string; message: string };

export type RefreshPlanResult =
  | { kind: 'plan'; customerId: string; writes: RefreshWrite[]; deletes: RefreshDelete[] }
  | RefreshRefusal
  /**
   * The snapshot lacks a reading of a key the plan touches (a new subscription, a new email, a
   * customer the mapping did not point at). Read a snapshot for `request` and plan again; the
   * customer record can name an older email to look at, so allow up to two such rounds.
   */
  | { kind: 'snapshot-incomplete'; request: CustomerKeyRequest };

export interface RefreshInput {
  userId: string;
  clerk: ClerkUserFacts | null;
  stripe: StripeCustomerFacts | null;
  current: CustomerCacheSnapshot;
  keys: Keys;
  /** unix milliseconds: the records' `updatedAt` */
  now: number;
}

/** The customer a refresh would cache for this user, or why it cannot run at all. */
export function refreshTarget(
  userId: string,
  stripe: StripeCustomerFacts | null,
): { kind: 'ok'; customer: LiveStripeCustomerFacts } | RefreshRefusal {
  if (stripe === null) {
    return {
      kind: 'nothing-to-cache',
      reason: 'no-stripe-customer',
      message: 'Stripe has no customer for this user, so there is nothing to cache.',
    };
  }
  if (!isLiveCustomer(stripe)) {
    return {
      kind: 'nothing-to-cache',
      reason: 'stripe-customer-deleted',
      message: `Stripe customer ${stripe.id} was deleted, so there is nothing to cache for it.`,
    };
  }
  // The app writes `user:{metadata.userId}`: refreshing another user's customer into this user's
  // mapping would show them someone else's billing.
  if (stripe.userId !== null && stripe.userId !== userId) {
    return {
      kind: 'customer-of-another-user',
      customerId: stripe.id,
      ownerUserId: stripe.userId,
      message:
        `Stripe customer ${stripe.id} belongs to user ${stripe.userId} (its metadata.userId), not this user. ` +
        'Check the customer in Stripe before caching it for anyone.',
    };
  }
  return { kind: 'ok', customer: stripe };
}

/** The email whose mapping may still point at this customer: the record's, when it is not Stripe's. */
function previousEmail(existing: JsonObject | null, stripe: LiveStripeCustomerFacts): string | null {
  const email = textField(existing, 'email');
  return email && !sameEmail(email, stripe.email) ? email : null;
}

const json = (value: unknown) => JSON.stringify(value);

function write(reading: CachedKey, after: string): RefreshWrite {
  const before = rawString(reading.raw);
  return {
    key: reading.key,
    before,
    after,
    ttlSeconds: CUSTOMER_CACHE_TTL_SECONDS,
    // a key without expiry is a change even with the same value: the write gives it the 24 h TTL
    unchanged: before === after && reading.ttl !== -1,
  };
}

/**
 * Known fields win; everything else the stored record holds is carried over. A record that would
 * differ only in `updatedAt` keeps its old one: the time of a refresh alone is not a change.
 */
function mergeOver(existing: JsonObject | null, fields: object): string {
  const merged = { ...existing, ...fields };
  if (
    existing &&
    'updatedAt' in existing &&
    json({ ...merged, updatedAt: existing.updatedAt }) === json(existing)
  )
    return json(existing);
  return json(merged);
}

export function planRefresh(input: RefreshInput): RefreshPlanResult {
  const { userId, clerk, stripe, current, keys, now } = input;
  const target = refreshTarget(userId, stripe);
  if (target.kind !== 'ok') return target;
  const { customer } = target;

  const readings = readingsByKey(current, keys.user(userId));
  const customerKey = keys.customer(customer.id);
  const existingRecord = jsonRecordOrNull(readings.get(customerKey)?.raw);
  const request: CustomerKeyRequest = {
    userId,
    customerId: customer.id,
    email: customer.email,
    previousEmail: previousEmail(existingRecord, customer),
    subscriptionIds: customer.subscriptions.map((subscription) => subscription.id),
  };
  const needed = customerSnapshotKeys(keys, request);
  const touched = [
    needed.mapping,
    needed.customer,
    needed.emailMapping,
    needed.previousEmailMapping,
    ...needed.subscriptions.map((entry) => entry.key),
  ].filter((key): key is string => key !== null);
  if (touched.some((key) => !readings.has(key))) return { kind: 'snapshot-incomplete', request };
  const reading = (key: string) => readings.get(key) as CachedKey;

  const writes: RefreshWrite[] = [
    write(
      reading(customerKey),
      mergeOver(existingRecord, customerFieldsFromUpstream(userId, clerk, customer, now)),
    ),
  ];
  // A customer without an email has no `email:` key: there is no address to file it under.
  if (needed.emailMapping) writes.push(write(reading(needed.emailMapping), customer.id));
  writes.push(write(reading(needed.mapping), customer.id));
  for (const subscription of customer.subscriptions) {
    const key = keys.subscription(subscription.id);
    const existing = jsonRecordOrNull(reading(key).raw);
    writes.push(write(reading(key), mergeOver(existing, subscriptionFieldsFromUpstream(subscription, now))));
  }

  return {
    kind: 'plan',
    customerId: customer.id,
    writes,
    deletes: previousEmailDelete(needed, readings, customer),
  };
}

/**
 * When the email changed, the old address's mapping still sends lookups by that address to this
 * customer — wrong once the address is someone else's. It goes, but only while it points at this
 * customer: a mapping to another customer is that customer's business.
 */
function previousEmailDelete(
  needed: ReturnType<typeof customerSnapshotKeys>,
  readings: Map<string, CachedKey>,
  customer: LiveStripeCustomerFacts,
): RefreshDelete[] {
  if (!needed.previousEmailMapping) return [];
  const reading = readings.get(needed.previousEmailMapping);
  const mapping = readMapping(reading?.raw);
  if (!reading || mapping.kind !== 'ok' || mapping.customerId !== customer.id) return [];
  return [
    {
      key: reading.key,
      before: rawString(reading.raw) as string,
      reason: `The customer's email is now ${customer.email ?? 'empty'}; the old address no longer belongs to it.`,
    },
  ];
}

/**
 * The plan as one list in the atomic writer's terms (shared's `PlannedWrite`: a delete writes null)
 * that is also the refresh route's `plan` body: `unchanged` rides along for the UI.
 */
export function plannedChanges(plan: Extract<RefreshPlanResult, { kind: 'plan' }>): RefreshChange[] {
  return [
    ...plan.writes,
    ...plan.deletes.map(({ key, before }) => ({
      key,
      before,
      after: null,
      ttlSeconds: null,
      unchanged: false,
    })),
  ];
}
