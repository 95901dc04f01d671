import { CUSTOMER_CACHE_TTL_SECONDS } from '@cache-doctor/shared';
import type Stripe from 'stripe';
import type { Keys } from '../keys';
import { CUSTOMER_CODES, type CustomerCode } from './seed';
import { ids, type Random } from './seed-random';

import { DAY_S } from './seed-time';
import { type CatalogPrice, subscriptionWire } from './seed-wire';

/** What the app cached for one user, for the planted problems to bend. */
interface CacheView {
  userId: string;
  customerId: string;
  email: string;
  record: Record<string, unknown>;
  subs: Record<string, unknown>[];
}

/** The seed's users and customers: who gets which planted problem, their subscriptions, and the customer cache the app would have written (see seed.ts). */

/**
 * Share of users planted with each code (about 22 % broken in all), at least one each. Below ~90
 * users not every code fits: planting stops once half the users are broken.
 */
const CUSTOMER_CODE_RATES: Record<CustomerCode, number> = {
  MAPPING_MISSING: 0.015,
  MAPPING_MALFORMED: 0.01,
  CUSTOMER_MISSING: 0.01,
  CUSTOMER_MALFORMED: 0.01,
  FIELDS_MISSING: 0.01,
  FIELD_TYPE_INVALID: 0.01,
  USER_MISMATCH: 0.01,
  CUSTOMER_ID_MISMATCH: 0.01,
  EMAIL_MAPPING_MISSING: 0.01,
  SUBSCRIPTION_MISSING: 0.01,
  LEGACY_KEYS: 0.015,
  NO_TTL: 0.015,
  CLERK_USER_NOT_FOUND: 0.01,
  EMAIL_MISMATCH_CLERK: 0.012,
  NAME_MISMATCH_CLERK: 0.01,
  STRIPE_CUSTOMER_NOT_FOUND: 0.01,
  EMAIL_MISMATCH_STRIPE: 0.01,
  SUBSCRIPTIONS_STALE: 0.015,
  PAYMENT_METHOD_STALE: 0.01,
  NO_STRIPE_CUSTOMER: 0.02,
};
const TRAP_RATE = 0.05;

/** Statuses of healthy subscriptions. No `canceled`: Stripe's customer `subscriptions` list leaves those out. */
const HEALTHY_SUB_STATUSES: readonly (readonly [Stripe.Subscription.Status, number])[] = [
  ['active', 70],
  ['trialing', 10],
  ['past_due', 8],
  ['paused', 5],
  ['incomplete', 4],
  ['unpaid', 3],
];

export interface UserPlan {
  userId: string;
  code: CustomerCode | null;
  trap: 'seconds' | 'extra' | null;
}

/** Which user gets which problem: spread at random over the id space, in O(n). */
export function planUsers(r: Random, n: number): UserPlan[] {
  const userIds = Array.from({ length: n }, () => ids.clerkUser(r));
  const plans: UserPlan[] = userIds.map((userId) => ({ userId, code: null, trap: null }));
  const order = r.shuffle(Array.from({ length: n }, (_, i) => i));
  const budget = Math.floor(n / 2);
  const codes: CustomerCode[] = [];
  for (const code of CUSTOMER_CODES) {
    for (let k = Math.max(1, Math.round(n * CUSTOMER_CODE_RATES[code])); k > 0; k--) codes.push(code);
  }
  // Round-robin so that a tight budget still covers as many distinct codes as possible.
  const byCode = CUSTOMER_CODES.map((code) => codes.filter((c) => c === code));
  const interleaved: CustomerCode[] = [];
  for (let round = 0; interleaved.length < codes.length; round++) {
    for (const list of byCode) if (list[round]) interleaved.push(list[round] as CustomerCode);
  }
  let cursor = 0;
  for (const code of interleaved.slice(0, budget)) (plans[order[cursor++] as number] as UserPlan).code = code;
  const traps = Math.max(1, Math.round(n * TRAP_RATE));
  for (const trap of ['seconds', 'extra'] as const) {
    for (let k = 0; k < traps && cursor < n; k++) (plans[order[cursor++] as number] as UserPlan).trap = trap;
  }
  return plans;
}

export function makeSubscription(
  r: Random,
  o: {
    customerId: string;
    customerCreated: number;
    nowSec: number;
    price: CatalogPrice;
    paymentMethod: string | null;
    livemode: boolean;
  },
): Stripe.Subscription {
  const status = r.weighted(HEALTHY_SUB_STATUSES);
  const created = o.customerCreated + Math.floor((o.nowSec - o.customerCreated) * r.next() * 0.5);
  const period = o.price.interval === 'year' ? 365 * DAY_S : 30 * DAY_S;
  const elapsed = Math.max(0, o.nowSec - created);
  const periodStart = status === 'trialing' ? created : created + Math.floor(elapsed / period) * period;
  const periodEnd = status === 'trialing' ? created + 14 * DAY_S : periodStart + period;
  return subscriptionWire(r, {
    id: ids.subscription(r),
    customer: o.customerId,
    status,
    price: o.price,
    created,
    periodStart,
    periodEnd,
    cancelAtPeriodEnd: status === 'active' && r.chance(0.08),
    defaultPaymentMethod: o.paymentMethod,
    livemode: o.livemode,
  });
}

/** The app's `subscription:` record for a Stripe subscription (period from its first item). */
export function subscriptionRecord(sub: Stripe.Subscription, updatedAt: number): Record<string, unknown> {
  const item = sub.items.data[0];
  const product = item?.price.product;
  return {
    id: sub.id,
    customerId: sub.customer as string,
    status: sub.status,
    priceId: item?.price.id ?? null,
    productId: typeof product === 'string' ? product : (product?.id ?? null),
    currentPeriodEnd: item?.current_period_end ?? null,
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    created: sub.created,
    updatedAt,
  };
}

export type SetWrite = (key: string, value: string, ttlSeconds: number | null) => void;

/**
 * Writes one user's customer cache the way the app does (`user:`, `email:`, `customer:`, each
 * `subscription:`, 24 h TTL), then applies the one Redis-side problem planted on the user, if any.
 * Sync codes leave the cache untouched: their problem lives upstream.
 */
export function writeCustomerCache(
  r: Random,
  keys: Keys,
  set: SetWrite,
  view: CacheView,
  code: CustomerCode | null,
  ctx: { otherUserId: string; noTtlSlot: number },
): void {
  const ttl = CUSTOMER_CACHE_TTL_SECONDS;
  const { userId, customerId, email, subs } = view;
  const record = { ...view.record };
  if (code === 'FIELDS_MISSING') delete record.stripeCustomerId; // absent, not "different": one code only
  if (code === 'FIELD_TYPE_INVALID') record.created = String(record.created); // "1709251200", a string
  if (code === 'USER_MISMATCH') record.userId = ctx.otherUserId; // another real user
  if (code === 'CUSTOMER_ID_MISMATCH') record.stripeCustomerId = ids.customer(r); // e.g. after a merge

  // NO_TTL: one of the user's keys never expires, rotating through the four kinds.
  const noTtlKind =
    code === 'NO_TTL' ? (['user', 'email', 'customer', 'subscription'] as const)[ctx.noTtlSlot % 4] : null;
  const ttlFor = (kind: 'user' | 'email' | 'customer' | 'subscription') =>
    kind === noTtlKind || (noTtlKind === 'subscription' && subs.length === 0 && kind === 'customer')
      ? null
      : ttl;

  if (code !== 'MAPPING_MISSING') {
    set(
      keys.user(userId),
      code === 'MAPPING_MALFORMED' ? JSON.stringify({ customerId }) : customerId,
      ttlFor('user'),
    );
  }
  if (code !== 'EMAIL_MAPPING_MISSING') set(keys.email(email), customerId, ttlFor('email'));
  if (code !== 'CUSTOMER_MISSING') {
    // `[object Object]`: the classic bug of writing an object without JSON.stringify.
    set(
      keys.customer(customerId),
      code === 'CUSTOMER_MALFORMED' ? '[object Object]' : JSON.stringify(record),
      ttlFor('customer'),
    );
  }
  subs.forEach((sub, index) => {
    if (code === 'SUBSCRIPTION_MISSING' && index === 0) return;
    set(keys.subscription(sub.id as string), JSON.stringify(sub), index === 0 ? ttlFor('subscription') : ttl);
  });

  if (code === 'LEGACY_KEYS') {
    // The older layout, never expiring; reported as LEGACY_KEYS (not NO_TTL, which is about current keys).
    const first = subs[0];
    set(keys.legacy.user(userId), customerId, null);
    set(keys.legacy.email(email), customerId, null);
    set(
      keys.legacy.customer(customerId),
      JSON.stringify({
        id: customerId,
        email,
        userId,
        name: view.record.name,
        subscriptionId: first?.id ?? null,
        subscriptionStatus: first?.status ?? null,
        updatedAt: Math.floor((view.record.updatedAt as number) / 1000) - r.int(100, 400) * DAY_S,
      }),
      null,
    );
    if (first) {
      set(
        keys.legacy.subscription(first.id as string),
        JSON.stringify({
          id: first.id,
          status: first.status,
          priceId: first.priceId,
          currentPeriodEnd: first.currentPeriodEnd,
        }),
        null,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checkout sessions (SPEC §1.2)
