import { CUSTOMER_CACHE_TTL_SECONDS } from '@cache-doctor/shared';
import { describe, expect, it } from 'vitest';
import { diagnoseCustomerHealth } from './customer-health';
import {
  plannedChanges,
  planRefresh,
  type RefreshInput,
  type RefreshPlanResult,
} from './customer-refresh-plan';
import type { CustomerCacheSnapshot } from './customer-snapshot';
import {
  absent,
  at,
  CUSTOMER_ID,
  clerk,
  EMAIL,
  keys,
  NOW_MS,
  OTHER_USER_ID,
  record,
  SUB_IDS,
  snapshot,
  stripe,
  stripeSubscription,
  subscriptionRecord,
  USER_ID,
} from './customer-test-fixtures';

const input = (overrides: Partial<RefreshInput> = {}): RefreshInput => ({
  userId: USER_ID,
  clerk: clerk(),
  stripe: stripe(),
  current: snapshot(),
  keys,
  now: NOW_MS,
  ...overrides,
});

function plan(overrides: Partial<RefreshInput> = {}) {
  const result = planRefresh(input(overrides));
  if (result.kind !== 'plan') throw new Error(`expected a plan, got ${JSON.stringify(result)}`);
  return result;
}

const writeTo = (result: Extract<RefreshPlanResult, { kind: 'plan' }>, key: string) => {
  const found = result.writes.find((entry) => entry.key === key);
  if (!found) throw new Error(`no write to ${key}`);
  return found;
};

/** Applies a plan to a snapshot the way Redis would, to check a refresh leaves the cache healthy. */
function applied(
  current: CustomerCacheSnapshot,
  result: Extract<RefreshPlanResult, { kind: 'plan' }>,
): CustomerCacheSnapshot {
  const after = new Map(result.writes.map((entry) => [entry.key, entry]));
  const slot = <T extends { key: string }>(entry: T) => {
    const written = after.get(entry.key);
    return written ? { ...entry, raw: written.after, ttl: written.ttlSeconds } : entry;
  };
  const customer = writeTo(result, keys.customer(result.customerId));
  const email = JSON.parse(customer.after).email as string;
  return {
    ...current,
    mapping: slot(current.mapping ?? absent(keys.user(current.userId))),
    customer: slot(absent(customer.key)),
    emailMapping: email ? slot(absent(keys.email(email))) : null,
    subscriptions: (JSON.parse(customer.after).subscriptions as string[]).map((id) => ({
      id,
      ...slot(absent(keys.subscription(id))),
    })),
  };
}

describe('planRefresh — the plan', () => {
  it('plans customer:, email:, user: and every subscription:, all with the 24 h TTL', () => {
    const result = plan();
    expect(result.customerId).toBe(CUSTOMER_ID);
    expect(result.writes.map((entry) => entry.key)).toEqual([
      keys.customer(CUSTOMER_ID),
      keys.email(EMAIL),
      keys.user(USER_ID),
      ...SUB_IDS.map((id) => keys.subscription(id)),
    ]);
    for (const entry of result.writes) expect(entry.ttlSeconds).toBe(CUSTOMER_CACHE_TTL_SECONDS);
    expect(result.deletes).toEqual([]);
  });

  it('writes the mappings as plain customer ids, not JSON', () => {
    const result = plan();
    expect(writeTo(result, keys.user(USER_ID)).after).toBe(CUSTOMER_ID);
    expect(writeTo(result, keys.email(EMAIL)).after).toBe(CUSTOMER_ID);
  });

  const renamed = () =>
    snapshot({ customer: at(keys.customer(CUSTOMER_ID), JSON.stringify(record({ name: 'Old Name' }))) });

  it('writes the record from Stripe with updatedAt in milliseconds', () => {
    const written = JSON.parse(writeTo(plan({ current: renamed() }), keys.customer(CUSTOMER_ID)).after);
    expect(written).toEqual(record({ updatedAt: NOW_MS }));
  });

  it('changes nothing when only updatedAt would: the records keep theirs and every write is unchanged', () => {
    const result = plan();
    expect(writeTo(result, keys.customer(CUSTOMER_ID))).toMatchObject({
      after: JSON.stringify(record()),
      unchanged: true,
    });
    expect(plannedChanges(result).every((change) => change.unchanged)).toBe(true);
  });

  it('counts a key without expiry as a change, even with the same value: the write gives it the 24 h TTL', () => {
    const current = snapshot({
      customer: { ...at(keys.customer(CUSTOMER_ID), JSON.stringify(record())), ttl: -1 },
    });
    expect(writeTo(plan({ current }), keys.customer(CUSTOMER_ID)).unchanged).toBe(false);
  });

  it('writes each subscription from Stripe', () => {
    const canceled = stripe({
      subscriptions: [
        stripeSubscription(SUB_IDS[0], { status: 'canceled', currentPeriodEnd: null }),
        stripeSubscription(SUB_IDS[1]),
      ],
    });
    const written = JSON.parse(writeTo(plan({ stripe: canceled }), keys.subscription(SUB_IDS[0])).after);
    expect(written).toEqual(
      subscriptionRecord(SUB_IDS[0], { status: 'canceled', currentPeriodEnd: null, updatedAt: NOW_MS }),
    );
  });

  it('keeps fields the app added that Cache Doctor does not know, in the record and the subscriptions', () => {
    const extra = { hasActiveSubscription: true, planName: 'Pro', source: 'checkout.session.completed' };
    const current = snapshot({
      customer: at(keys.customer(CUSTOMER_ID), JSON.stringify(record({ ...extra, name: 'Old Name' }))),
      subscriptions: SUB_IDS.map((id) => ({
        id,
        ...at(keys.subscription(id), JSON.stringify(subscriptionRecord(id, { interval: 'month' }))),
      })),
    });
    const result = plan({ current });
    expect(JSON.parse(writeTo(result, keys.customer(CUSTOMER_ID)).after)).toEqual(
      record({ ...extra, updatedAt: NOW_MS }),
    );
    // Stripe changed nothing of the subscription: it stays as stored, its own field included
    expect(writeTo(result, keys.subscription(SUB_IDS[0])).after).toBe(
      JSON.stringify(subscriptionRecord(SUB_IDS[0], { interval: 'month' })),
    );
  });

  it('records before-images as stored, serialising values a client parsed', () => {
    const parsed = snapshot({ customer: at(keys.customer(CUSTOMER_ID), record()) });
    const result = plan({ current: parsed });
    expect(writeTo(result, keys.customer(CUSTOMER_ID)).before).toBe(JSON.stringify(record()));
    expect(writeTo(result, keys.user(USER_ID)).before).toBe(CUSTOMER_ID);
  });

  it('lists unchanged writes, flagged, because applying them renews the expiry', () => {
    const result = plan({ current: renamed() });
    expect(writeTo(result, keys.user(USER_ID))).toMatchObject({
      before: CUSTOMER_ID,
      after: CUSTOMER_ID,
      unchanged: true,
    });
    expect(writeTo(result, keys.customer(CUSTOMER_ID)).unchanged).toBe(false);
  });

  it('repairs what health reports: every fixable problem is gone after applying the plan', () => {
    const broken = snapshot({
      mapping: at(keys.user(USER_ID), CUSTOMER_ID, -1),
      customer: at(
        keys.customer(CUSTOMER_ID),
        JSON.stringify(record({ created: '1709251200', userId: OTHER_USER_ID })),
        -1,
      ),
      emailMapping: absent(keys.email(EMAIL)),
      subscriptions: [
        { id: SUB_IDS[0], ...absent(keys.subscription(SUB_IDS[0])) },
        { id: SUB_IDS[1], ...absent(keys.subscription(SUB_IDS[1])) },
      ],
    });
    expect(diagnoseCustomerHealth(broken).problems.map((problem) => problem.code)).toEqual([
      'FIELD_TYPE_INVALID',
      'USER_MISMATCH',
      'EMAIL_MAPPING_MISSING',
      'SUBSCRIPTION_MISSING',
      'NO_TTL',
    ]);
    const after = applied(broken, plan({ current: broken }));
    expect(diagnoseCustomerHealth(after).problems).toEqual([]);
  });

  it('repairs a malformed mapping', () => {
    const broken = snapshot({ mapping: at(keys.user(USER_ID), JSON.stringify({ customerId: CUSTOMER_ID })) });
    expect(diagnoseCustomerHealth(broken).problems.map((problem) => problem.code)).toEqual([
      'MAPPING_MALFORMED',
    ]);
    expect(diagnoseCustomerHealth(applied(broken, plan({ current: broken }))).problems).toEqual([]);
  });

  it("converts to the atomic writer's terms, deletes as null writes", () => {
    const current = snapshot({
      previousEmailMapping: null,
      customer: at(keys.customer(CUSTOMER_ID), JSON.stringify(record({ email: 'old@example.com' }))),
    });
    const withOld = { ...current, previousEmailMapping: at(keys.email('old@example.com'), CUSTOMER_ID) };
    const result = plan({ current: { ...withOld, emailMapping: at(keys.email(EMAIL), null, -2) } });
    const changes = plannedChanges(result);
    expect(changes).toContainEqual({
      key: keys.email('old@example.com'),
      before: CUSTOMER_ID,
      after: null,
      ttlSeconds: null,
      unchanged: false,
    });
    expect(changes).toContainEqual({
      key: keys.email(EMAIL),
      before: null,
      after: CUSTOMER_ID,
      ttlSeconds: CUSTOMER_CACHE_TTL_SECONDS,
      unchanged: false,
    });
  });
});

describe('planRefresh — fallbacks for what Stripe lacks', () => {
  it("writes an empty email and no email: key when Stripe has no email, dropping the old address's", () => {
    const result = plan({ stripe: stripe({ email: null }) });
    expect(JSON.parse(writeTo(result, keys.customer(CUSTOMER_ID)).after).email).toBe('');
    expect(result.writes.some((entry) => entry.key.startsWith('email:'))).toBe(false);
    expect(result.deletes.map((entry) => entry.key)).toEqual([keys.email(EMAIL)]);
    expect(result.deletes[0]?.reason).toContain('empty');
  });

  it("takes Clerk's name when Stripe has none", () => {
    const result = plan({ stripe: stripe({ name: null }), clerk: clerk({ lastName: 'Nakamura' }) });
    expect(JSON.parse(writeTo(result, keys.customer(CUSTOMER_ID)).after).name).toBe('Ann Nakamura');
    const nameless = plan({
      stripe: stripe({ name: null }),
      clerk: clerk({ firstName: null, lastName: null }),
    });
    expect(JSON.parse(writeTo(nameless, keys.customer(CUSTOMER_ID)).after).name).toBeNull();
  });

  it("takes the refreshed user's id when metadata.userId is not set", () => {
    const result = plan({ stripe: stripe({ userId: null }) });
    expect(JSON.parse(writeTo(result, keys.customer(CUSTOMER_ID)).after).userId).toBe(USER_ID);
  });
});

describe('planRefresh — the email changed', () => {
  const NEW_EMAIL = 'ann@new.example';
  const current = () =>
    snapshot({
      emailMapping: at(keys.email(NEW_EMAIL), null, -2),
      previousEmailMapping: at(keys.email(EMAIL), CUSTOMER_ID),
    });

  it("deletes the old address's mapping with its before-image", () => {
    const result = plan({ stripe: stripe({ email: NEW_EMAIL }), current: current() });
    expect(writeTo(result, keys.email(NEW_EMAIL))).toMatchObject({ before: null, after: CUSTOMER_ID });
    expect(result.deletes).toEqual([
      { key: keys.email(EMAIL), before: CUSTOMER_ID, reason: expect.stringContaining(NEW_EMAIL) },
    ]);
  });

  it('leaves the old mapping alone when it points at another customer', () => {
    const other = { ...current(), previousEmailMapping: at(keys.email(EMAIL), 'cus_SomeoneElse') };
    expect(plan({ stripe: stripe({ email: NEW_EMAIL }), current: other }).deletes).toEqual([]);
  });

  it('leaves nothing to delete when the old mapping is already gone', () => {
    const gone = { ...current(), previousEmailMapping: absent(keys.email(EMAIL)) };
    expect(plan({ stripe: stripe({ email: NEW_EMAIL }), current: gone }).deletes).toEqual([]);
  });

  it('treats a change of case as the same address', () => {
    expect(plan({ stripe: stripe({ email: EMAIL.toUpperCase() }) }).deletes).toEqual([]);
  });

  it('asks for the old mapping when the snapshot has not read it', () => {
    const result = planRefresh(
      input({
        stripe: stripe({ email: NEW_EMAIL }),
        current: {
          ...current(),
          previousEmailMapping: undefined,
          emailMapping: at(keys.email(NEW_EMAIL), null, -2),
        },
      }),
    );
    // the health snapshot read the old address as `emailMapping`; here it is gone from the snapshot
    expect(result).toEqual({
      kind: 'snapshot-incomplete',
      request: expect.objectContaining({ email: NEW_EMAIL, previousEmail: EMAIL }),
    });
  });

  it("from a health snapshot (which read the old address) asks for the new address's key", () => {
    const result = planRefresh(input({ stripe: stripe({ email: NEW_EMAIL }) }));
    expect(result).toMatchObject({
      kind: 'snapshot-incomplete',
      request: { email: NEW_EMAIL, previousEmail: EMAIL },
    });
  });
});

describe('planRefresh — keys the snapshot did not read', () => {
  it("asks for a new subscription's key instead of guessing it is absent", () => {
    const added = stripe({ subscriptions: [...stripe().subscriptions, stripeSubscription('sub_1NEW')] });
    const result = planRefresh(input({ stripe: added }));
    expect(result).toEqual({
      kind: 'snapshot-incomplete',
      request: {
        userId: USER_ID,
        customerId: CUSTOMER_ID,
        email: EMAIL,
        previousEmail: null,
        subscriptionIds: [...SUB_IDS, 'sub_1NEW'],
      },
    });
  });

  it('asks for the customer Stripe names when the mapping pointed elsewhere', () => {
    const result = planRefresh(input({ stripe: stripe({ id: 'cus_Found77' }) }));
    expect(result).toMatchObject({ kind: 'snapshot-incomplete', request: { customerId: 'cus_Found77' } });
  });

  it('plans once the snapshot holds a reading of every key, absent ones included', () => {
    const current = snapshot({
      mapping: null,
      customer: absent(keys.customer(CUSTOMER_ID)),
      emailMapping: absent(keys.email(EMAIL)),
      subscriptions: SUB_IDS.map((id) => ({ id, ...absent(keys.subscription(id)) })),
    });
    const result = plan({ current });
    for (const entry of result.writes) expect(entry.before).toBeNull();
  });
});

describe('planRefresh — refusals', () => {
  it('nothing-to-cache when Stripe has no customer', () => {
    expect(planRefresh(input({ stripe: null }))).toMatchObject({
      kind: 'nothing-to-cache',
      reason: 'no-stripe-customer',
    });
  });

  it('nothing-to-cache when the Stripe customer was deleted', () => {
    const deleted = { ...stripe(), deleted: true, created: null };
    expect(planRefresh(input({ stripe: deleted }))).toMatchObject({
      kind: 'nothing-to-cache',
      reason: 'stripe-customer-deleted',
      message: expect.stringContaining(CUSTOMER_ID),
    });
  });

  it("refuses to cache another user's customer for this user", () => {
    expect(planRefresh(input({ stripe: stripe({ userId: OTHER_USER_ID }) }))).toMatchObject({
      kind: 'customer-of-another-user',
      customerId: CUSTOMER_ID,
      ownerUserId: OTHER_USER_ID,
    });
  });
});
