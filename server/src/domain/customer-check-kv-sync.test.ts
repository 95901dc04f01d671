import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkKvSync, type KvSyncInput } from './customer-check-kv-sync';
import {
  absent,
  at,
  CUSTOMER_ID,
  clerk,
  keys,
  OTHER_USER_ID,
  record,
  snapshot,
  stripe,
  USER_ID,
  withRecord,
} from './customer-test-fixtures';

const input = (overrides: Partial<KvSyncInput> = {}): KvSyncInput => ({
  userId: USER_ID,
  snapshot: snapshot(),
  clerk: clerk(),
  stripe: stripe(),
  ...overrides,
});

const debug = (overrides: Partial<KvSyncInput> = {}) => checkKvSync(input(overrides)).debug;

describe('checkKvSync', () => {
  it('is in sync when cache, Clerk and Stripe agree', () => {
    expect(checkKvSync(input())).toEqual({
      isInSync: true,
      debug: {
        hasCustomerId: true,
        hasCustomerData: true,
        customerId: CUSTOMER_ID,
        basicDataInSync: true,
        stripeDataInSync: true,
      },
    });
  });

  it('reads the mapping as plain text and values a client already parsed', () => {
    expect(checkKvSync(input({ snapshot: withRecord(record()) })).isInSync).toBe(true);
  });

  it('accepts updatedAt in seconds', () => {
    expect(
      checkKvSync(input({ snapshot: withRecord(JSON.stringify(record({ updatedAt: 1_767_225_600 }))) }))
        .isInSync,
    ).toBe(true);
  });

  it('has no customer id when the mapping is missing, and says so with booleans and null', () => {
    expect(checkKvSync(input({ snapshot: snapshot({ mapping: null, customer: null }) }))).toEqual({
      isInSync: false,
      debug: {
        hasCustomerId: false,
        hasCustomerData: false,
        customerId: null,
        basicDataInSync: false,
        stripeDataInSync: false,
      },
    });
  });

  it('takes a malformed mapping for no customer id', () => {
    const malformed = snapshot({ mapping: at(keys.user(USER_ID), JSON.stringify(CUSTOMER_ID)) });
    expect(debug({ snapshot: malformed })).toMatchObject({
      hasCustomerId: false,
      customerId: null,
      hasCustomerData: false,
    });
  });

  it('has a customer id but no data when the record is missing or unreadable', () => {
    expect(debug({ snapshot: snapshot({ customer: absent(keys.customer(CUSTOMER_ID)) }) })).toMatchObject({
      hasCustomerId: true,
      customerId: CUSTOMER_ID,
      hasCustomerData: false,
      basicDataInSync: false,
      stripeDataInSync: false,
    });
    expect(debug({ snapshot: withRecord('[object Object]') }).hasCustomerData).toBe(false);
  });

  it.each([
    ['the email differs from Clerk', { clerk: clerk({ primaryEmail: 'ann@new.example' }) }, false],
    ['the name differs from Clerk', { clerk: clerk({ lastName: 'Nakamura' }) }, true],
    [
      'the record names another user',
      { snapshot: withRecord(JSON.stringify(record({ userId: OTHER_USER_ID }))) },
      true,
    ],
    ['Clerk has no such user', { clerk: null }, false],
  ] as const)('basic data is out of sync when %s', (_, overrides, stripeInSync) => {
    expect(debug(overrides)).toMatchObject({ basicDataInSync: false, stripeDataInSync: stripeInSync });
  });

  it('compares emails case-insensitively and takes a null name as no name', () => {
    expect(checkKvSync(input({ clerk: clerk({ primaryEmail: 'ANN.LEE@example.com' }) })).isInSync).toBe(true);
    const nameless = input({
      clerk: clerk({ firstName: null, lastName: null }),
      snapshot: withRecord(JSON.stringify(record({ name: null }))),
    });
    expect(checkKvSync(nameless).debug.basicDataInSync).toBe(true);
  });

  it.each([
    ['Stripe has no customer', { stripe: null }],
    ['the customer was deleted', { stripe: { ...stripe(), deleted: true, created: null } }],
    ['Stripe has another email', { stripe: stripe({ email: 'billing@corp.example' }) }],
    [
      'subscriptions is not a list',
      { snapshot: withRecord(JSON.stringify(record({ subscriptions: 'sub_1AAA' }))) },
    ],
    ['created is not a number', { snapshot: withRecord(JSON.stringify(record({ created: '1709251200' }))) }],
    ['updatedAt is absent', { snapshot: withRecord(JSON.stringify({ ...record(), updatedAt: undefined })) }],
  ] as const)('Stripe data is out of sync when %s', (_, overrides) => {
    const result = checkKvSync(input(overrides as Partial<KvSyncInput>));
    expect(result.debug.stripeDataInSync).toBe(false);
    expect(result.debug.basicDataInSync).toBe(true);
    expect(result.isInSync).toBe(false);
  });

  it('always answers booleans and a string-or-null id, whatever Redis holds', () => {
    const anyRaw = fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.string(),
      fc.json(),
      fc.anything(),
      fc.constant(CUSTOMER_ID),
    );
    fc.assert(
      fc.property(anyRaw, anyRaw, fc.boolean(), fc.boolean(), (mapping, customer, hasClerk, hasStripe) => {
        const result = checkKvSync(
          input({
            snapshot: {
              mapping: at(keys.user(USER_ID), mapping),
              customer: at(keys.customer(CUSTOMER_ID), customer),
            },
            clerk: hasClerk ? clerk() : null,
            stripe: hasStripe ? stripe() : null,
          }),
        );
        const { customerId, ...flags } = result.debug;
        for (const flag of [result.isInSync, ...Object.values(flags)]) expect(typeof flag).toBe('boolean');
        expect(customerId === null || typeof customerId === 'string').toBe(true);
        expect(result.isInSync).toBe(
          flags.hasCustomerId && flags.hasCustomerData && flags.basicDataInSync && flags.stripeDataInSync,
        );
      }),
    );
  });
});
