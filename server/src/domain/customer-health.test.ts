import { CUSTOMER_HEALTH_CODES, problemSchema } from '@cache-doctor/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnoseCustomerHealth } from './customer-health';
import {
  absent,
  at,
  CUSTOMER_ID,
  EMAIL,
  keys,
  NOW_MS,
  OTHER_USER_ID,
  record,
  SUB_IDS,
  snapshot,
  subscriptionRecord,
  TTL,
  USER_ID,
  withRecord,
} from './customer-test-fixtures';

const codes = (input: Parameters<typeof diagnoseCustomerHealth>[0]) =>
  diagnoseCustomerHealth(input).problems.map((problem) => problem.code);

const only = (input: Parameters<typeof diagnoseCustomerHealth>[0]) => {
  const { problems } = diagnoseCustomerHealth(input);
  expect(problems).toHaveLength(1);
  return problems[0] as (typeof problems)[number];
};

describe('diagnoseCustomerHealth — healthy', () => {
  it('finds nothing wrong with a cache written as the app writes it', () => {
    expect(diagnoseCustomerHealth(snapshot())).toEqual({
      userId: USER_ID,
      healthy: true,
      customerId: CUSTOMER_ID,
      record: record(),
      ttl: TTL,
      problems: [],
    });
  });

  it('reads a plain cus_ mapping as the id, never as JSON', () => {
    expect(diagnoseCustomerHealth(snapshot()).customerId).toBe(CUSTOMER_ID);
  });

  it('accepts values a client already parsed (Upstash REST)', () => {
    const parsed = snapshot({
      customer: at(keys.customer(CUSTOMER_ID), record()),
      subscriptions: SUB_IDS.map((id) => ({ id, ...at(keys.subscription(id), subscriptionRecord(id)) })),
    });
    expect(diagnoseCustomerHealth(parsed).problems).toEqual([]);
  });

  it.each([
    ['milliseconds', NOW_MS],
    ['seconds', Math.floor(NOW_MS / 1000)],
  ])('accepts updatedAt in %s', (_, updatedAt) => {
    expect(codes(withRecord(JSON.stringify(record({ updatedAt }))))).toEqual([]);
  });

  it('keeps quiet about extra fields the app added', () => {
    const extra = record({
      hasActiveSubscription: true,
      planName: 'Pro',
      source: 'checkout.session.completed',
    });
    expect(codes(withRecord(JSON.stringify(extra)))).toEqual([]);
  });

  it('accepts a customer without subscriptions, name or payment method', () => {
    const bare = record({ subscriptions: [], name: null, defaultPaymentMethod: null });
    expect(codes(withRecord(JSON.stringify(bare), { subscriptions: [] }))).toEqual([]);
  });

  it('treats absent name and defaultPaymentMethod as null', () => {
    const { name: _, defaultPaymentMethod: __, ...rest } = record();
    expect(codes(withRecord(JSON.stringify(rest)))).toEqual([]);
  });
});

describe('diagnoseCustomerHealth — every code', () => {
  it('MAPPING_MISSING when user: does not exist, and reads nothing further', () => {
    const problem = only(snapshot({ mapping: null, customer: null, emailMapping: null, subscriptions: [] }));
    expect(problem).toMatchObject({ code: 'MAPPING_MISSING', severity: 'error', fix: 'refresh' });
    expect(codes(snapshot({ mapping: absent(keys.user(USER_ID)) }))).toEqual(['MAPPING_MISSING']);
  });

  it.each([
    ['a JSON-quoted id', JSON.stringify(CUSTOMER_ID)],
    ['a JSON object', JSON.stringify({ customerId: CUSTOMER_ID })],
    ['an already-parsed object', { customerId: CUSTOMER_ID }],
    ['not an id at all', 'undefined'],
  ])('MAPPING_MALFORMED when the mapping holds %s', (_, raw) => {
    const result = diagnoseCustomerHealth(snapshot({ mapping: at(keys.user(USER_ID), raw) }));
    expect(result.problems.map((problem) => problem.code)).toEqual(['MAPPING_MALFORMED']);
    expect(result.problems[0]).toMatchObject({ severity: 'error', fix: 'refresh' });
    expect(result.problems[0]?.message).toContain(keys.user(USER_ID));
    expect(result.customerId).toBeNull();
    expect(result.healthy).toBe(false);
  });

  it('CUSTOMER_MISSING when the mapped record does not exist', () => {
    const result = diagnoseCustomerHealth(snapshot({ customer: absent(keys.customer(CUSTOMER_ID)) }));
    expect(result.problems.map((problem) => problem.code)).toEqual(['CUSTOMER_MISSING']);
    expect(result.problems[0]?.message).toContain(CUSTOMER_ID);
    expect(result).toMatchObject({ customerId: CUSTOMER_ID, record: null, ttl: null, healthy: false });
    expect(codes(snapshot({ customer: null }))).toEqual(['CUSTOMER_MISSING']);
  });

  it.each([
    ['[object Object]', '[object Object]'],
    ['truncated JSON', '{"stripeCustomerId":"cus_Q1'],
    ['a JSON array', '[]'],
  ])('CUSTOMER_MALFORMED when the record is %s', (_, raw) => {
    expect(only(withRecord(raw))).toMatchObject({
      code: 'CUSTOMER_MALFORMED',
      severity: 'error',
      fix: 'refresh',
    });
  });

  it('FIELDS_MISSING lists absent and empty identity fields', () => {
    const { stripeCustomerId: _, ...rest } = record({ userId: '' });
    const problem = only(withRecord(JSON.stringify(rest)));
    expect(problem).toMatchObject({ code: 'FIELDS_MISSING', severity: 'error', fix: 'refresh' });
    expect(problem.message).toContain('stripeCustomerId, userId');
    expect(problem.message).not.toContain('email');
  });

  it('FIELDS_MISSING also for null identity fields and for absent required fields', () => {
    const { created: _, ...rest } = record({ email: null });
    const problem = only(withRecord(JSON.stringify(rest)));
    expect(problem.code).toBe('FIELDS_MISSING');
    expect(problem.message).toContain('email, created');
  });

  it('FIELD_TYPE_INVALID names each field and what it holds', () => {
    const problem = only(withRecord(JSON.stringify(record({ created: '1709251200' }))));
    expect(problem).toMatchObject({ code: 'FIELD_TYPE_INVALID', severity: 'error', fix: 'refresh' });
    expect(problem.message).toContain('"created" should be a number but is text "1709251200"');
  });

  it('FIELD_TYPE_INVALID for subscriptions that are not a list of ids', () => {
    const problem = only(
      withRecord(JSON.stringify(record({ subscriptions: 'sub_1AAA' })), { subscriptions: [] }),
    );
    expect(problem.code).toBe('FIELD_TYPE_INVALID');
    expect(problem.message).toContain('"subscriptions" should be a list of subscription ids');
    expect(
      only(withRecord(JSON.stringify(record({ subscriptions: [1, 2] })), { subscriptions: [] })).code,
    ).toBe('FIELD_TYPE_INVALID');
  });

  it('FIELD_TYPE_INVALID lists several fields in one problem', () => {
    const problem = only(withRecord(JSON.stringify(record({ updatedAt: '2026-01-01', name: 5, userId: 7 }))));
    expect(problem.code).toBe('FIELD_TYPE_INVALID');
    for (const field of ['"userId"', '"name"', '"updatedAt"']) expect(problem.message).toContain(field);
  });

  it('USER_MISMATCH when the record belongs to another user', () => {
    const problem = only(withRecord(JSON.stringify(record({ userId: OTHER_USER_ID }))));
    expect(problem).toMatchObject({ code: 'USER_MISMATCH', severity: 'error', fix: 'refresh' });
    expect(problem.message).toContain(OTHER_USER_ID);
  });

  it('CUSTOMER_ID_MISMATCH when the record is for another customer than the mapping', () => {
    const problem = only(withRecord(JSON.stringify(record({ stripeCustomerId: 'cus_Merged99' }))));
    expect(problem).toMatchObject({ code: 'CUSTOMER_ID_MISMATCH', severity: 'error', fix: 'refresh' });
    expect(problem.message).toContain('cus_Merged99');
  });

  it('EMAIL_MAPPING_MISSING when email: does not exist or does not hold an id', () => {
    expect(only(snapshot({ emailMapping: null }))).toMatchObject({
      code: 'EMAIL_MAPPING_MISSING',
      fix: 'refresh',
    });
    expect(codes(snapshot({ emailMapping: absent(keys.email(EMAIL)) }))).toEqual(['EMAIL_MAPPING_MISSING']);
    const malformed = only(snapshot({ emailMapping: at(keys.email(EMAIL), '{"id":"cus_Q1w2E3r4"}') }));
    expect(malformed.code).toBe('EMAIL_MAPPING_MISSING');
    expect(malformed.message).toContain(keys.email(EMAIL));
  });

  it('no EMAIL_MAPPING_MISSING when there is no email to map (FIELDS_MISSING says it)', () => {
    expect(codes(withRecord(JSON.stringify(record({ email: '' })), { emailMapping: null }))).toEqual([
      'FIELDS_MISSING',
    ]);
  });

  it('SUBSCRIPTION_MISSING lists listed subscriptions without a record', () => {
    const subscriptions = snapshot().subscriptions.map((entry, index) =>
      index === 0 ? { ...entry, raw: null, ttl: -2 } : entry,
    );
    const problem = only(snapshot({ subscriptions }));
    expect(problem).toMatchObject({ code: 'SUBSCRIPTION_MISSING', severity: 'error', fix: 'refresh' });
    expect(problem.message).toContain(SUB_IDS[0]);
    expect(problem.message).not.toContain(SUB_IDS[1]);
  });

  it('SUBSCRIPTION_MISSING for a listed id the snapshot never read, and for unreadable records', () => {
    expect(codes(snapshot({ subscriptions: [] }))).toEqual(['SUBSCRIPTION_MISSING']);
    const subscriptions = snapshot().subscriptions.map((entry) => ({ ...entry, raw: '[object Object]' }));
    const problem = only(snapshot({ subscriptions }));
    expect(problem.code).toBe('SUBSCRIPTION_MISSING');
    expect(problem.message).toContain('unreadable');
  });

  it.each(['mapping', 'customer', 'emailMapping', 'subscription'] as const)(
    'NO_TTL for a %s key that never expires',
    (slot) => {
      const base = snapshot();
      const noExpiry = <T extends { ttl: number }>(entry: T): T => ({ ...entry, ttl: -1 });
      const input =
        slot === 'subscription'
          ? {
              ...base,
              subscriptions: [
                noExpiry(base.subscriptions[0] as (typeof base.subscriptions)[0]),
                ...base.subscriptions.slice(1),
              ],
            }
          : { ...base, [slot]: noExpiry(base[slot] as NonNullable<(typeof base)[typeof slot]>) };
      const result = diagnoseCustomerHealth(input);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatchObject({ code: 'NO_TTL', severity: 'warning', fix: 'refresh' });
      const key = slot === 'subscription' ? keys.subscription(SUB_IDS[0]) : (base[slot]?.key as string);
      expect(result.problems[0]?.message).toContain(key);
      expect(result.healthy).toBe(true);
    },
  );

  it('NO_TTL lists every never-expiring key once', () => {
    const base = snapshot();
    const input = snapshot({
      mapping: { ...(base.mapping as NonNullable<typeof base.mapping>), ttl: -1 },
      customer: { ...(base.customer as NonNullable<typeof base.customer>), ttl: -1 },
    });
    const problem = only(input);
    expect(problem.message).toContain(`${keys.user(USER_ID)}, ${keys.customer(CUSTOMER_ID)} never expire,`);
  });

  it('LEGACY_KEYS lists the older-layout keys, as a warning whose fix is Remove keys (not a refresh)', () => {
    const legacyKeys = [keys.legacy.user(USER_ID), keys.legacy.customer(CUSTOMER_ID)];
    const result = diagnoseCustomerHealth(snapshot({ legacyKeys }));
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'LEGACY_KEYS', severity: 'warning', fix: 'remove' });
    for (const key of legacyKeys) expect(result.problems[0]?.message).toContain(key);
    expect(result.healthy).toBe(true);
  });

  it('reports LEGACY_KEYS even when the current mapping is gone', () => {
    expect(codes(snapshot({ mapping: null, legacyKeys: [keys.legacy.user(USER_ID)] }))).toEqual([
      'MAPPING_MISSING',
      'LEGACY_KEYS',
    ]);
  });

  it('has a test above for every health code', () => {
    // keeps this file honest when a code is added to shared/problems.ts
    expect(CUSTOMER_HEALTH_CODES).toHaveLength(12);
  });
});

describe('diagnoseCustomerHealth — properties', () => {
  const anyRaw = fc.oneof(
    fc.constant(null),
    fc.string(),
    fc.json(),
    fc.object(),
    fc.constant('cus_Q1w2E3r4'),
  );

  it('never throws, returns valid problems, and healthy means no errors', () => {
    fc.assert(
      fc.property(
        anyRaw,
        anyRaw,
        anyRaw,
        fc.integer({ min: -2, max: 100_000 }),
        (mapping, customer, email, ttl) => {
          const result = diagnoseCustomerHealth(
            snapshot({
              mapping: at(keys.user(USER_ID), mapping, ttl),
              customer: at(keys.customer(CUSTOMER_ID), customer, ttl),
              emailMapping: at(keys.email(EMAIL), email, ttl),
            }),
          );
          for (const problem of result.problems) {
            expect(problemSchema.parse(problem)).toEqual(problem);
            expect(CUSTOMER_HEALTH_CODES).toContain(problem.code);
            expect(problem.message.length).toBeGreaterThan(20);
          }
          expect(new Set(result.problems.map((problem) => problem.code)).size).toBe(result.problems.length);
          expect(result.healthy).toBe(result.problems.every((problem) => problem.severity !== 'error'));
        },
      ),
    );
  });

  it('reports any record field change as at most one code per kind', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(record())), fc.jsonValue(), (field, value) => {
        const result = diagnoseCustomerHealth(withRecord(JSON.stringify(record({ [field]: value }))));
        expect(new Set(result.problems.map((problem) => problem.code)).size).toBe(result.problems.length);
      }),
    );
  });
});
