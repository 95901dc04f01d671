import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { eventIdsBySession } from '../domain/session-sweep';
import { isLiveCustomer } from '../domain/upstream-facts';
import {
  checkoutFacts,
  failedEventFacts,
  storyEventFacts,
  stripeCustomerFacts,
  stripeStoryFacts,
  stripeSubscriptionFacts,
} from './stripe-facts';

/** Stripe's objects as their JSON arrives, with only the fields the converters read. */
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

describe('checkout session and event facts', () => {
  const session = {
    id: 'cs_test_abc',
    object: 'checkout.session',
    created: 1_760_000_000,
    amount_total: 2900,
    currency: 'usd',
    customer_details: { email: 'bo@example.com' },
    customer_email: null,
    status: 'complete',
    payment_status: 'paid',
  } as unknown as Stripe.Checkout.Session;

  it('takes the amount, the customer email and the payment state from a listed checkout session', () => {
    expect(checkoutFacts(session)).toEqual({
      sessionId: 'cs_test_abc',
      created: 1_760_000_000,
      amountTotal: 2900,
      currency: 'usd',
      customerEmail: 'bo@example.com',
      stripe: { status: 'complete', paymentStatus: 'paid' },
    });
  });

  it('links failed events to the checkout session they carry, oldest first; other events to none', () => {
    const event = (id: string, created: number, object: unknown) =>
      ({ id, type: 'checkout.session.completed', created, data: { object } }) as unknown as Stripe.Event;
    const events = [
      failedEventFacts(event('evt_2', 20, session)),
      failedEventFacts(event('evt_1', 10, session)),
      failedEventFacts(event('evt_3', 30, { id: 'in_1', object: 'invoice' })),
    ];
    expect(events[2]?.sessionId).toBeNull();
    expect(eventIdsBySession(events)).toEqual(new Map([['cs_test_abc', ['evt_1', 'evt_2']]]));
  });

  it("reads an event's delivery state for the session timeline", () => {
    const event = {
      id: 'evt_1',
      type: 'checkout.session.completed',
      created: 1_760_000_100,
      pending_webhooks: 1,
      data: { object: session },
    } as unknown as Stripe.Event;
    expect(storyEventFacts(event)).toEqual({
      id: 'evt_1',
      type: 'checkout.session.completed',
      created: 1_760_000_100,
      pendingWebhooks: 1,
    });
  });
});

describe('stripeStoryFacts', () => {
  it('reads subscriptions and invoices for the customer timeline; an invoice without an id is left out', () => {
    const invoice = (overrides: Record<string, unknown> = {}) =>
      ({
        id: 'in_1',
        status: 'paid',
        billing_reason: 'subscription_cycle',
        amount_paid: 1500,
        amount_due: 1500,
        currency: 'usd',
        created: 1_760_000_000,
        status_transitions: { paid_at: 1_760_000_300 },
        attempt_count: 1,
        ...overrides,
      }) as unknown as Stripe.Invoice;
    const canceled = subscription({
      canceled_at: 1_760_000_500,
      items: { object: 'list', data: [{ id: 'si_1', price: { id: 'price_1', nickname: 'Studio monthly' } }] },
    });
    const facts = stripeStoryFacts({
      subscriptions: [canceled, subscription()],
      sessions: [],
      invoices: [invoice(), invoice({ id: undefined })],
    });
    expect(facts.subscriptions).toEqual([
      { id: 'sub_1AAA', created: 1_709_251_300, canceledAt: 1_760_000_500, priceNickname: 'Studio monthly' },
      { id: 'sub_1AAA', created: 1_709_251_300, canceledAt: null, priceNickname: null },
    ]);
    expect(facts.invoices).toEqual([
      {
        id: 'in_1',
        status: 'paid',
        amountPaid: 1500,
        amountDue: 1500,
        currency: 'usd',
        billingReason: 'subscription_cycle',
        paidAt: 1_760_000_300,
        created: 1_760_000_000,
        attemptCount: 1,
      },
    ]);
  });
});
