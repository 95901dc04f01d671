import { CUSTOMER_SYNC_CODES, problemSchema } from '@cache-doctor/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from './cached-value';
import { diagnoseCustomerHealth } from './customer-health';
import { cachedCustomerView } from './customer-snapshot';
import { type CustomerSyncInput, customerProblems, diagnoseCustomerSync } from './customer-sync';
import {
  CUSTOMER_ID,
  clerk,
  EMAIL,
  OTHER_USER_ID,
  record,
  SUB_IDS,
  snapshot,
  stripe,
  stripeSubscription,
  subscriptionRecord,
  USER_ID,
} from './customer-test-fixtures';

const input = (overrides: Partial<CustomerSyncInput> = {}): CustomerSyncInput => ({
  userId: USER_ID,
  cached: record(),
  cachedSubscriptions: SUB_IDS.map((id) => subscriptionRecord(id)),
  clerk: clerk(),
  stripe: stripe(),
  ...overrides,
});

const codes = (overrides: Partial<CustomerSyncInput> = {}) =>
  diagnoseCustomerSync(input(overrides)).problems.map((problem) => problem.code);

describe('diagnoseCustomerSync — in sync', () => {
  it('finds nothing when cache, Clerk and Stripe agree', () => {
    const result = diagnoseCustomerSync(input());
    expect(result).toMatchObject({ userId: USER_ID, inSync: true, differences: [], problems: [] });
    expect(result.cached).toEqual(record());
    expect(result.clerk).toEqual(clerk());
    expect(result.stripe).toEqual(stripe());
  });

  it('compares emails case-insensitively', () => {
    expect(
      codes({
        clerk: clerk({ primaryEmail: 'Ann.Lee@Example.COM' }),
        stripe: stripe({ email: 'ANN.LEE@example.com' }),
      }),
    ).toEqual([]);
  });

  it('builds the name from the non-empty parts', () => {
    expect(
      codes({ clerk: clerk({ firstName: 'Ann', lastName: null }), cached: record({ name: 'Ann' }) }),
    ).toEqual([]);
    expect(
      codes({ clerk: clerk({ firstName: ' ', lastName: 'Lee' }), cached: record({ name: 'Lee' }) }),
    ).toEqual([]);
  });

  it('takes a cached null name as the same as no name in Clerk', () => {
    expect(
      codes({ clerk: clerk({ firstName: null, lastName: null }), cached: record({ name: null }) }),
    ).toEqual([]);
  });

  it("does not compare a subscription whose record is missing (SUBSCRIPTION_MISSING is health's)", () => {
    expect(codes({ cachedSubscriptions: [] })).toEqual([]);
  });
});

describe('diagnoseCustomerSync — every code', () => {
  it('CLERK_USER_NOT_FOUND: an orphaned cache entry', () => {
    const result = diagnoseCustomerSync(input({ clerk: null }));
    expect(result.problems.map((problem) => problem.code)).toEqual(['CLERK_USER_NOT_FOUND']);
    expect(result.problems[0]).toMatchObject({ severity: 'error' });
    expect(result.problems[0]?.message).toContain('orphaned');
    expect(result.inSync).toBe(false);
  });

  it('EMAIL_MISMATCH_CLERK, fixable only once Stripe has the new address', () => {
    const clerkChanged = clerk({ primaryEmail: 'ann@new.example' });
    const stripeStale = diagnoseCustomerSync(input({ clerk: clerkChanged }));
    expect(stripeStale.problems).toHaveLength(1);
    expect(stripeStale.problems[0]).toMatchObject({ code: 'EMAIL_MISMATCH_CLERK', severity: 'error' });
    expect(stripeStale.problems[0]).not.toHaveProperty('fix');
    expect(stripeStale.problems[0]?.message).toContain('update the email on the Stripe customer');
    expect(stripeStale.differences).toEqual([
      { field: 'email', cache: EMAIL, clerk: 'ann@new.example', stripe: EMAIL },
    ]);

    const stripeUpdated = diagnoseCustomerSync(
      input({ clerk: clerkChanged, stripe: stripe({ email: 'ann@new.example' }) }),
    );
    expect(stripeUpdated.problems.map((problem) => [problem.code, problem.fix])).toEqual([
      ['EMAIL_MISMATCH_CLERK', 'refresh'],
      ['EMAIL_MISMATCH_STRIPE', 'refresh'],
    ]);
    expect(stripeUpdated.differences).toHaveLength(1);
  });

  it('EMAIL_MISMATCH_STRIPE with a refresh fix', () => {
    const result = diagnoseCustomerSync(input({ stripe: stripe({ email: 'billing@corp.example' }) }));
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'EMAIL_MISMATCH_STRIPE', severity: 'error', fix: 'refresh' }),
    ]);
    expect(result.differences).toEqual([
      { field: 'email', cache: EMAIL, clerk: EMAIL, stripe: 'billing@corp.example' },
    ]);
  });

  it('NAME_MISMATCH_CLERK, fixable when Stripe has the new name', () => {
    const renamed = { clerk: clerk({ lastName: 'Nakamura' }), stripe: stripe({ name: 'Ann Nakamura' }) };
    const result = diagnoseCustomerSync(input(renamed));
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'NAME_MISMATCH_CLERK', severity: 'error', fix: 'refresh' }),
    ]);
    expect(result.differences).toEqual([
      { field: 'name', cache: 'Ann Lee', clerk: 'Ann Nakamura', stripe: 'Ann Nakamura' },
    ]);
  });

  it("NAME_MISMATCH_CLERK is fixable when Stripe has no name (the refresh takes Clerk's)", () => {
    const result = diagnoseCustomerSync(
      input({ clerk: clerk({ lastName: 'Nakamura' }), stripe: stripe({ name: null }) }),
    );
    expect(result.problems[0]).toMatchObject({ code: 'NAME_MISMATCH_CLERK', fix: 'refresh' });
  });

  it('NAME_MISMATCH_CLERK without a fix when Stripe keeps another name', () => {
    const result = diagnoseCustomerSync(input({ clerk: clerk({ lastName: 'Nakamura' }) }));
    expect(result.problems[0]).toMatchObject({ code: 'NAME_MISMATCH_CLERK' });
    expect(result.problems[0]).not.toHaveProperty('fix');
  });

  it('STRIPE_CUSTOMER_NOT_FOUND when Stripe does not know the cached customer', () => {
    const result = diagnoseCustomerSync(input({ stripe: null }));
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'STRIPE_CUSTOMER_NOT_FOUND', severity: 'error' }),
    ]);
    expect(result.problems[0]?.message).toContain(CUSTOMER_ID);
    // a refresh cannot rebuild it; the orphaned entry can be removed
    expect(result.problems[0]).toHaveProperty('fix', 'remove');
    expect(result.inSync).toBe(false);
  });

  it('STRIPE_CUSTOMER_NOT_FOUND when the customer was deleted, even with nothing cached', () => {
    const deleted = {
      ...stripe(),
      deleted: true,
      created: null,
      email: null,
      name: null,
      userId: null,
      subscriptions: [],
    };
    expect(codes({ stripe: deleted })).toEqual(['STRIPE_CUSTOMER_NOT_FOUND']);
    expect(codes({ stripe: deleted, cached: null, cachedSubscriptions: [] })).toEqual([
      'STRIPE_CUSTOMER_NOT_FOUND',
    ]);
    expect(diagnoseCustomerSync(input({ stripe: deleted })).problems[0]?.message).toContain('was deleted');
  });

  it("PAYMENT_METHOD_STALE when the cached default payment method is not Stripe's; refresh repairs it", () => {
    const result = diagnoseCustomerSync(input({ stripe: stripe({ defaultPaymentMethod: 'pm_NEW' }) }));
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'PAYMENT_METHOD_STALE', severity: 'error', fix: 'refresh' }),
    ]);
    expect(result.differences).toEqual([
      {
        field: 'defaultPaymentMethod',
        cache: record().defaultPaymentMethod ?? null,
        clerk: null,
        stripe: 'pm_NEW',
      },
    ]);
    expect(result.inSync).toBe(false);
  });

  it('an absent cached payment method and none in Stripe agree', () => {
    const cached = record();
    delete cached.defaultPaymentMethod;
    expect(codes({ cached, stripe: stripe({ defaultPaymentMethod: null }) })).toEqual([]);
  });

  it('SUBSCRIPTIONS_STALE when a status changed in Stripe', () => {
    const canceled = stripe({
      subscriptions: [stripeSubscription(SUB_IDS[0], { status: 'canceled' }), stripeSubscription(SUB_IDS[1])],
    });
    const result = diagnoseCustomerSync(input({ stripe: canceled }));
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'SUBSCRIPTIONS_STALE', severity: 'error', fix: 'refresh' }),
    ]);
    expect(result.differences).toEqual([
      {
        field: 'subscriptions',
        cache: 'sub_1AAA (active), sub_1BBB (active)',
        clerk: null,
        stripe: 'sub_1AAA (canceled), sub_1BBB (active)',
      },
    ]);
  });

  it('SUBSCRIPTIONS_STALE when Stripe has a subscription the cache has not heard of, or lost one', () => {
    const added = stripe({ subscriptions: [...stripe().subscriptions, stripeSubscription('sub_1NEW')] });
    expect(codes({ stripe: added })).toEqual(['SUBSCRIPTIONS_STALE']);
    expect(codes({ stripe: stripe({ subscriptions: [stripeSubscription(SUB_IDS[0])] }) })).toEqual([
      'SUBSCRIPTIONS_STALE',
    ]);
  });

  it('NO_STRIPE_CUSTOMER: a user who never paid is a warning and in sync', () => {
    const result = diagnoseCustomerSync(input({ cached: null, cachedSubscriptions: [], stripe: null }));
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'NO_STRIPE_CUSTOMER', severity: 'warning' }),
    ]);
    expect(result.problems[0]).not.toHaveProperty('fix');
    expect(result.inSync).toBe(true);
  });

  it('has a test above for every sync code', () => {
    expect(CUSTOMER_SYNC_CODES).toHaveLength(8);
  });
});

describe('diagnoseCustomerSync — what it leaves to health', () => {
  it('compares nothing when nothing readable is cached', () => {
    expect(codes({ cached: null, cachedSubscriptions: [] })).toEqual([]);
  });

  it('skips fields the record does not hold as text', () => {
    expect(codes({ cached: record({ email: '' }) })).toEqual([]);
    expect(codes({ cached: record({ email: 42, name: 7 }) })).toEqual([]);
    expect(codes({ cached: record({ subscriptions: 'sub_1AAA' }) })).toEqual([]);
  });

  it('offers no refresh when the Stripe customer belongs to another user', () => {
    const result = diagnoseCustomerSync(
      input({ stripe: stripe({ userId: OTHER_USER_ID, email: 'x@example.com' }) }),
    );
    expect(result.problems[0]).toMatchObject({ code: 'EMAIL_MISMATCH_STRIPE' });
    expect(result.problems[0]).not.toHaveProperty('fix');
  });

  it('never throws on any record and only yields sync codes', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(record()), 'x'), fc.jsonValue()), (fields) => {
        const result = diagnoseCustomerSync(input({ cached: { ...record(), ...fields } as JsonObject }));
        for (const problem of result.problems) {
          expect(problemSchema.parse(problem)).toEqual(problem);
          expect(CUSTOMER_SYNC_CODES).toContain(problem.code);
        }
      }),
    );
  });
});

describe('cachedCustomerView and customerProblems', () => {
  it('takes the record and readable subscriptions from a snapshot', () => {
    const view = cachedCustomerView(snapshot());
    expect(view.cached).toEqual(record());
    expect(view.cachedSubscriptions).toEqual(SUB_IDS.map((id) => subscriptionRecord(id)));
  });

  it('ignores a record when the mapping is not a customer id', () => {
    expect(cachedCustomerView(snapshot({ mapping: null })).cached).toBeNull();
  });

  it('drops MAPPING_MISSING for a user Stripe confirms never paid', () => {
    const health = diagnoseCustomerHealth(
      snapshot({ mapping: null, customer: null, emailMapping: null, subscriptions: [] }),
    );
    const sync = diagnoseCustomerSync(input({ cached: null, cachedSubscriptions: [], stripe: null }));
    expect(customerProblems(health, sync).map((problem) => problem.code)).toEqual(['NO_STRIPE_CUSTOMER']);
  });

  it('keeps MAPPING_MISSING when Stripe has a customer', () => {
    const health = diagnoseCustomerHealth(snapshot({ mapping: null }));
    const sync = diagnoseCustomerSync(input({ cached: null }));
    expect(customerProblems(health, sync).map((problem) => problem.code)).toEqual(['MAPPING_MISSING']);
  });
});
