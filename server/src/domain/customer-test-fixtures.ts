import { DEFAULT_KEY_PATTERNS } from '../config';
import { createKeys } from '../keys';
import type { JsonObject } from './cached-value';
import type { CachedKey, CustomerCacheSnapshot } from './customer-snapshot';
import type { ClerkUserFacts, LiveStripeCustomerFacts, StripeSubscriptionFacts } from './upstream-facts';

/** Plain data for the customer domain's tests: one healthy user, every value as the app writes it. */

export const keys = createKeys(DEFAULT_KEY_PATTERNS, 'cache-doctor:');
export const USER_ID = 'user_2abcDEF';
export const OTHER_USER_ID = 'user_2zzzZZZ';
export const CUSTOMER_ID = 'cus_Q1w2E3r4';
export const EMAIL = 'ann.lee@example.com';
export const SUB_IDS = ['sub_1AAA', 'sub_1BBB'] as const;
/** 2026-01-01T00:00:00Z */
export const NOW_MS = 1_767_225_600_000;
export const TTL = 80_000;

export function record(overrides: JsonObject = {}): JsonObject {
  return {
    stripeCustomerId: CUSTOMER_ID,
    email: EMAIL,
    userId: USER_ID,
    name: 'Ann Lee',
    subscriptions: [...SUB_IDS],
    defaultPaymentMethod: 'pm_1XYZ',
    created: 1_709_251_200,
    updatedAt: NOW_MS - 60_000,
    ...overrides,
  };
}

/** A healthy cached subscription: what Stripe says, plus the time the app wrote it. */
export function subscriptionRecord(id: string, overrides: JsonObject = {}): JsonObject {
  return { ...stripeSubscription(id), updatedAt: NOW_MS - 60_000, ...overrides };
}

export const at = (key: string, raw: unknown, ttl = TTL): CachedKey => ({ key, raw, ttl });
export const absent = (key: string): CachedKey => ({ key, raw: null, ttl: -2 });

/** A healthy user's snapshot, values as JSON strings (ioredis). */
export function snapshot(overrides: Partial<CustomerCacheSnapshot> = {}): CustomerCacheSnapshot {
  return {
    userId: USER_ID,
    mapping: at(keys.user(USER_ID), CUSTOMER_ID),
    customer: at(keys.customer(CUSTOMER_ID), JSON.stringify(record())),
    emailMapping: at(keys.email(EMAIL), CUSTOMER_ID),
    subscriptions: SUB_IDS.map((id) => ({
      id,
      ...at(keys.subscription(id), JSON.stringify(subscriptionRecord(id))),
    })),
    legacyKeys: [],
    ...overrides,
  };
}

/** The healthy snapshot with its customer record replaced. */
export const withRecord = (value: unknown, overrides: Partial<CustomerCacheSnapshot> = {}) =>
  snapshot({ customer: at(keys.customer(CUSTOMER_ID), value), ...overrides });

export function clerk(overrides: Partial<ClerkUserFacts> = {}): ClerkUserFacts {
  return {
    id: USER_ID,
    primaryEmail: EMAIL,
    firstName: 'Ann',
    lastName: 'Lee',
    createdAt: NOW_MS - 86_400_000,
    ...overrides,
  };
}

export function stripeSubscription(
  id: string,
  overrides: Partial<StripeSubscriptionFacts> = {},
): StripeSubscriptionFacts {
  return {
    id,
    customerId: CUSTOMER_ID,
    status: 'active',
    priceId: 'price_1PRO',
    productId: 'prod_PRO',
    currentPeriodEnd: 1_769_904_000,
    cancelAtPeriodEnd: false,
    created: 1_709_251_300,
    ...overrides,
  };
}

export function stripe(overrides: Partial<LiveStripeCustomerFacts> = {}): LiveStripeCustomerFacts {
  return {
    id: CUSTOMER_ID,
    deleted: false,
    email: EMAIL,
    name: 'Ann Lee',
    userId: USER_ID,
    created: 1_709_251_200,
    defaultPaymentMethod: 'pm_1XYZ',
    subscriptions: SUB_IDS.map((id) => stripeSubscription(id)),
    ...overrides,
  };
}
