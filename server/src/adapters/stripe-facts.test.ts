import type { User } from '@clerk/backend';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  clerkUserFacts,
  isLiveCustomer,
  stripeCustomerFacts,
  stripeSubscriptionFacts,
} from './upstream-facts';

/** The SDKs' objects as their JSON arrives, with only the fields the converters read. */
const clerkUser = (overrides: Partial<Record<keyof User, unknown>> = {}) =>
  ({
    id: 'user_2abc',
    primaryEmailAddressId: 'idn_2',
    emailAddresses: [
      { id: 'idn_1', emailAddress: 'old@example.com' },
      { id: 'idn_2', emailAddress: 'ann@example.com' },
    ],
    firstName: 'Ann',
    lastName: 'Lee',
    createdAt: 1_700_000_000_000,
    ...overrides,
  }) as unknown as User;

const subscription = (overrides: Record<string, unknown> = {}) =>
  ({
    id: 'sub_1AAA',
    object: 'subscription',
    customer: 'cus_Q1',
    status: 'active',
    cancel_at_period_end: false,
    created: 1_709_251_300,
    items: {
      object: 'list',
      data: [
        { id: 'si_1', current_period_end: 1_769_904_000, price: { id: 'price_1PRO', product: 'prod_PRO' } },
      ],
    },
    ...overrides,
  }) as unknown as Stripe.Subscription;

const customer = (overrides: Record<string, unknown> = {}) =>
  ({
    id: 'cus_Q1',
    object: 'customer',
    email: 'ann@example.com',
    name: 'Ann Lee',
    metadata: { userId: 'user_2abc' },
    created: 1_709_251_200,
    invoice_settings: { default_payment_method: 'pm_1XYZ' },
    ...overrides,
  }) as unknown as Stripe.Customer;

describe('clerkUserFacts', () => {
  it('takes the primary email from the list, not the first one', () => {
    expect(clerkUserFacts(clerkUser())).toEqual({
      id: 'user_2abc',
      primaryEmail: 'ann@example.com',
      firstName: 'Ann',
      lastName: 'Lee',
      createdAt: 1_700_000_000_000,
    });
  });

  it('has no primary email when none is set', () => {
    expect(clerkUserFacts(clerkUser({ primaryEmailAddressId: null })).primaryEmail).toBeNull();
    expect(clerkUserFacts(clerkUser({ emailAddresses: [] })).primaryEmail).toBeNull();
  });
});

describe('stripeSubscriptionFacts', () => {
  it('reads price, product and period end from the first item (API 2025-03-31 and later)', () => {
    expect(stripeSubscriptionFacts(subscription())).toEqual({
      id: 'sub_1AAA',
      customerId: 'cus_Q1',
      status: 'active',
      priceId: 'price_1PRO',
      productId: 'prod_PRO',
      currentPeriodEnd: 1_769_904_000,
      cancelAtPeriodEnd: false,
      created: 1_709_251_300,
    });
  });

  it("falls back to the subscription's own current_period_end (older API versions)", () => {
    const older = subscription({ current_period_end: 1_760_000_000, items: { object: 'list', data: [] } });
    expect(stripeSubscriptionFacts(older)).toMatchObject({
      currentPeriodEnd: 1_760_000_000,
      priceId: null,
      productId: null,
    });
  });

  it('takes ids of expanded customer and product objects', () => {
    const expanded = subscription({
      customer: { id: 'cus_Q1', object: 'customer' },
      items: {
        object: 'list',
        data: [{ id: 'si_1', current_period_end: 1, price: { id: 'price_1', product: { id: 'prod_X' } } }],
      },
    });
    expect(stripeSubscriptionFacts(expanded)).toMatchObject({ customerId: 'cus_Q1', productId: 'prod_X' });
  });
});

describe('stripeCustomerFacts', () => {
  it('reads the customer and its subscriptions', () => {
    const facts = stripeCustomerFacts(customer(), [subscription()]);
    expect(facts).toEqual({
      id: 'cus_Q1',
      deleted: false,
      email: 'ann@example.com',
      name: 'Ann Lee',
      userId: 'user_2abc',
      created: 1_709_251_200,
      defaultPaymentMethod: 'pm_1XYZ',
      subscriptions: [stripeSubscriptionFacts(subscription())],
    });
    expect(isLiveCustomer(facts)).toBe(true);
  });

  it('reads empty and missing values as null', () => {
    const bare = customer({
      email: '',
      name: undefined,
      metadata: {},
      invoice_settings: { default_payment_method: null },
    });
    expect(stripeCustomerFacts(bare, [])).toMatchObject({
      email: null,
      name: null,
      userId: null,
      defaultPaymentMethod: null,
    });
  });

  it('takes the id of an expanded default payment method', () => {
    const expanded = customer({
      invoice_settings: { default_payment_method: { id: 'pm_9', object: 'payment_method' } },
    });
    expect(stripeCustomerFacts(expanded, []).defaultPaymentMethod).toBe('pm_9');
  });

  it('marks a deleted customer, with nothing but its id', () => {
    const deleted = { id: 'cus_Q1', object: 'customer', deleted: true } as Stripe.DeletedCustomer;
    const facts = stripeCustomerFacts(deleted, [subscription()]);
    expect(facts).toMatchObject({ id: 'cus_Q1', deleted: true, created: null, subscriptions: [] });
    expect(isLiveCustomer(facts)).toBe(false);
    expect(isLiveCustomer(null)).toBe(false);
  });
});
