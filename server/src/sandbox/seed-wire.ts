import type Stripe from 'stripe';
import type { Random } from './seed-random';
import { ids } from './seed-random';

/**
 * Upstream objects in their JSON wire shapes, field for field as Stripe's REST API (fixtures in
 * shared/reference/stripe-fixtures3.json) and Clerk's Backend API (shared/reference/clerk-bapi-*.yml)
 * return them. Stripe's TypeScript types describe what the SDK hands back after parsing (e.g. a
 * `Decimal` class for `*_decimal` fields), so Stripe objects are built as plain JSON and cast once.
 */

export const STRIPE_API_VERSION = '2026-10-28.endive';
export const DAY = 86_400;

export interface CatalogPrice {
  id: string;
  product: string;
  productName: string;
  nickname: string;
  unitAmount: number;
  interval: 'month' | 'year';
  created: number;
}

/** Four plans on three products, created before any customer (two and a half years ago). */
/**
 * One price and one plan object per catalog entry, shared by every subscription item on it (as
 * in Stripe, they are the same object) and frozen so a shared one can never be changed for all.
 * Sharing keeps 100,000 users' subscriptions within memory.
 */
const sharedPriceObjects = new WeakMap<CatalogPrice, { price: object; plan: object }>();

function priceObjects(price: CatalogPrice, livemode: boolean): { price: object; plan: object } {
  let shared = sharedPriceObjects.get(price);
  if (!shared) {
    shared = { price: deepFreeze(priceWire(price, livemode)), plan: deepFreeze(planWire(price, livemode)) };
    sharedPriceObjects.set(price, shared);
  }
  return shared;
}

export function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (child && typeof child === 'object') deepFreeze(child);
  return Object.freeze(value);
}

/**
 * Constant nested parts, one frozen instance shared by every object (read-only, like all of the
 * dataset: a sandbox replaces an object to change it). Saves millions of allocations at 100,000 users.
 */
const SUB = deepFreeze({
  automaticTax: { disabled_reason: null, enabled: false, liability: null },
  billingMode: { type: 'flexible', flexible: { proration_discounts: 'included' } },
  invoiceSettings: { account_tax_ids: null, issuer: { type: 'self' } },
  paymentSettings: {
    payment_method_options: null,
    payment_method_types: null,
    save_default_payment_method: 'off',
  },
  trialSettings: { end_behavior: { missing_payment_method: 'create_invoice' } },
  empty: [] as never[],
});

export function buildCatalog(r: Random, nowSec: number): CatalogPrice[] {
  const created = nowSec - 900 * DAY;
  const creator = ids.product(r);
  const pro = ids.product(r);
  const studio = ids.product(r);
  return [
    {
      product: creator,
      productName: 'Creator',
      nickname: 'Creator monthly',
      unitAmount: 1900,
      interval: 'month',
    },
    {
      product: creator,
      productName: 'Creator',
      nickname: 'Creator yearly',
      unitAmount: 19000,
      interval: 'year',
    },
    { product: pro, productName: 'Pro', nickname: 'Pro monthly', unitAmount: 4900, interval: 'month' },
    {
      product: studio,
      productName: 'Studio',
      nickname: 'Studio monthly',
      unitAmount: 14900,
      interval: 'month',
    },
  ].map((p, i) => ({ ...p, id: ids.price(r), created: created + i * 60 })) as CatalogPrice[];
}

function priceWire(price: CatalogPrice, livemode: boolean) {
  return {
    id: price.id,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: 'usd',
    custom_unit_amount: null,
    livemode,
    lookup_key: null,
    metadata: {},
    nickname: price.nickname,
    product: price.product,
    recurring: {
      interval: price.interval,
      interval_count: 1,
      meter: null,
      trial_period_days: null,
      usage_type: 'licensed',
    },
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: price.unitAmount,
    unit_amount_decimal: String(price.unitAmount),
  };
}

function planWire(price: CatalogPrice, livemode: boolean) {
  return {
    id: price.id,
    object: 'plan',
    active: true,
    amount: price.unitAmount,
    amount_decimal: String(price.unitAmount),
    billing_scheme: 'per_unit',
    created: price.created,
    currency: 'usd',
    interval: price.interval,
    interval_count: 1,
    livemode,
    metadata: {},
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

export interface CustomerInput {
  id: string;
  email: string | null;
  name: string | null;
  userId: string;
  created: number;
  defaultPaymentMethod: string | null;
  delinquent: boolean;
  hasCurrency: boolean;
  livemode: boolean;
}

export function customerWire(r: Random, c: CustomerInput): Stripe.Customer {
  return {
    id: c.id,
    object: 'customer',
    address: null,
    balance: 0,
    created: c.created,
    currency: c.hasCurrency ? 'usd' : null,
    default_source: null,
    delinquent: c.delinquent,
    description: null,
    discount: null,
    email: c.email,
    invoice_prefix: r.upperAlnum(8),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: c.defaultPaymentMethod,
      footer: null,
      rendering_options: null,
    },
    livemode: c.livemode,
    metadata: { userId: c.userId },
    name: c.name,
    next_invoice_sequence: c.hasCurrency ? r.int(2, 30) : 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  } as Stripe.Customer;
}

export interface SubscriptionInput {
  id: string;
  customer: string;
  status: Stripe.Subscription.Status;
  price: CatalogPrice;
  created: number;
  periodStart: number;
  periodEnd: number;
  cancelAtPeriodEnd: boolean;
  defaultPaymentMethod: string | null;
  livemode: boolean;
}

export function subscriptionWire(r: Random, s: SubscriptionInput): Stripe.Subscription {
  const trialing = s.status === 'trialing';
  return {
    id: s.id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: SUB.automaticTax,
    billing_cycle_anchor: s.periodStart,
    billing_cycle_anchor_config: null,
    billing_mode: SUB.billingMode,
    billing_schedules: SUB.empty,
    billing_thresholds: null,
    cancel_at: s.cancelAtPeriodEnd ? s.periodEnd : null,
    cancel_at_period_end: s.cancelAtPeriodEnd,
    canceled_at: s.status === 'canceled' ? s.periodStart + r.int(1, 20) * DAY : null,
    cancellation_details: {
      comment: null,
      feedback: null,
      reason: s.status === 'canceled' ? 'cancellation_requested' : null,
    },
    collection_method: 'charge_automatically',
    created: s.created,
    currency: 'usd',
    customer: s.customer,
    customer_account: null,
    days_until_due: null,
    default_payment_method: s.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: SUB.empty,
    description: null,
    discounts: SUB.empty,
    ended_at: s.status === 'canceled' ? s.periodStart + r.int(1, 20) * DAY : null,
    invoice_settings: SUB.invoiceSettings,
    items: {
      object: 'list',
      data: [
        {
          id: ids.subscriptionItem(r),
          object: 'subscription_item',
          billing_thresholds: null,
          created: s.created,
          current_period_end: s.periodEnd,
          current_period_start: s.periodStart,
          current_trial: null,
          discounts: [],
          metadata: {},
          plan: priceObjects(s.price, s.livemode).plan,
          price: priceObjects(s.price, s.livemode).price,
          quantity: 1,
          subscription: s.id,
          tax_rates: [],
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/subscription_items?subscription=${s.id}`,
    },
    latest_invoice: r.id('in_1', 23),
    livemode: s.livemode,
    managed_payments: null,
    metadata: {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: SUB.paymentSettings,
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: s.created,
    status: s.status,
    test_clock: null,
    transfer_data: null,
    trial_end: trialing ? s.periodEnd : null,
    trial_settings: SUB.trialSettings,
    trial_start: trialing ? s.periodStart : null,
  } as unknown as Stripe.Subscription;
}
