import { describe, expect, it } from 'vitest';
import { customerSnapshotKeys, healthSnapshotRequest, readingsByKey, recordLinks } from './customer-snapshot';
import { CUSTOMER_ID, EMAIL, keys, record, SUB_IDS, snapshot, USER_ID } from './customer-test-fixtures';

describe('customerSnapshotKeys', () => {
  it('names only the mapping (and its legacy twin) before anything is known', () => {
    expect(customerSnapshotKeys(keys, { userId: USER_ID })).toEqual({
      mapping: 'user:user_2abcDEF',
      customer: null,
      emailMapping: null,
      previousEmailMapping: null,
      subscriptions: [],
      legacy: ['stripe:user:user_2abcDEF'],
    });
  });

  it('names every key, current and legacy, once everything is known', () => {
    const named = customerSnapshotKeys(keys, {
      userId: USER_ID,
      customerId: CUSTOMER_ID,
      email: 'Ann.Lee@Example.com',
      previousEmail: 'old@example.com',
      subscriptionIds: SUB_IDS,
    });
    expect(named).toEqual({
      mapping: 'user:user_2abcDEF',
      customer: 'customer:cus_Q1w2E3r4',
      emailMapping: 'email:ann.lee@example.com',
      previousEmailMapping: 'email:old@example.com',
      subscriptions: [
        { id: 'sub_1AAA', key: 'subscription:sub_1AAA' },
        { id: 'sub_1BBB', key: 'subscription:sub_1BBB' },
      ],
      legacy: [
        'stripe:user:user_2abcDEF',
        'stripe:customer:cus_Q1w2E3r4',
        'stripe:customer:email:ann.lee@example.com',
        'stripe:subscription:sub_1AAA',
        'stripe:subscription:sub_1BBB',
      ],
    });
  });
});

describe('healthSnapshotRequest — the staged read', () => {
  it('stage 1: only the user is known', () => {
    expect(healthSnapshotRequest(USER_ID, {})).toEqual({ userId: USER_ID });
  });

  it('stage 2: the mapping gives the customer id, read as plain text', () => {
    expect(healthSnapshotRequest(USER_ID, { mapping: CUSTOMER_ID })).toEqual({
      userId: USER_ID,
      customerId: CUSTOMER_ID,
      email: null,
      subscriptionIds: [],
    });
  });

  it('stops at a malformed mapping', () => {
    expect(
      healthSnapshotRequest(USER_ID, {
        mapping: '{"customerId":"cus_Q1w2E3r4"}',
        customer: JSON.stringify(record()),
      }),
    ).toEqual({
      userId: USER_ID,
    });
  });

  it('stage 3: the record, as text or parsed, gives the email and subscriptions', () => {
    const expected = {
      userId: USER_ID,
      customerId: CUSTOMER_ID,
      email: EMAIL,
      subscriptionIds: [...SUB_IDS],
    };
    expect(
      healthSnapshotRequest(USER_ID, { mapping: CUSTOMER_ID, customer: JSON.stringify(record()) }),
    ).toEqual(expected);
    expect(healthSnapshotRequest(USER_ID, { mapping: CUSTOMER_ID, customer: record() })).toEqual(expected);
  });
});

describe('recordLinks', () => {
  it('takes only well-typed links, each subscription once', () => {
    expect(recordLinks(record({ email: '', subscriptions: ['sub_1', 2, '', 'sub_1', 'sub_2'] }))).toEqual({
      email: null,
      subscriptionIds: ['sub_1', 'sub_2'],
    });
    expect(recordLinks(record({ email: 5, subscriptions: 'sub_1' }))).toEqual({
      email: null,
      subscriptionIds: [],
    });
    expect(recordLinks(null)).toEqual({ email: null, subscriptionIds: [] });
  });
});

describe('readingsByKey', () => {
  it('holds every slot by key, a missing mapping as an absent reading', () => {
    const readings = readingsByKey(snapshot({ mapping: null, emailMapping: null }), keys.user(USER_ID));
    expect(readings.get(keys.user(USER_ID))).toEqual({ key: keys.user(USER_ID), raw: null, ttl: -2 });
    expect(readings.has(keys.customer(CUSTOMER_ID))).toBe(true);
    expect(readings.has(keys.email(EMAIL))).toBe(false);
    expect(readings.has(keys.subscription(SUB_IDS[1]))).toBe(true);
  });
});
