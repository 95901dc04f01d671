import type { EmailAddressJSON, UserJSON } from '@clerk/backend';
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
const DAY = 86_400;

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

function deepFreeze<T extends object>(value: T): T {
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
const CHECKOUT = deepFreeze({
  adaptivePricing: { enabled: true },
  automaticTax: { enabled: false, liability: null, provider: null, status: null },
  collectedInformation: { business_name: null, individual_name: null, shipping_details: null },
  customText: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
  address: { city: null, country: 'US', line1: null, line2: null, postal_code: null, state: null },
  paymentMethodOptions: { card: { request_three_d_secure: 'automatic' } },
  paymentMethodTypes: ['card'],
  phoneNumberCollection: { enabled: false },
  totalDetails: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
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

export interface CheckoutSessionInput {
  id: string;
  created: number;
  customer: string;
  email: string;
  name: string | null;
  userId: string;
  amount: number;
  status: 'open' | 'complete';
  paymentStatus: 'paid' | 'unpaid';
  toolSlug: string;
  videoCount: number;
  livemode: boolean;
}

const APP_URL = 'https://app.example.com';

export function checkoutSessionWire(r: Random, s: CheckoutSessionInput): Stripe.Checkout.Session {
  const complete = s.status === 'complete';
  return {
    id: s.id,
    object: 'checkout.session',
    adaptive_pricing: CHECKOUT.adaptivePricing,
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: s.amount,
    amount_total: s.amount,
    automatic_tax: CHECKOUT.automaticTax,
    billing_address_collection: null,
    cancel_url: `${APP_URL}/tools/${s.toolSlug}?canceled=1`,
    client_reference_id: s.userId,
    client_secret: null,
    collected_information: complete ? CHECKOUT.collectedInformation : null,
    consent: null,
    consent_collection: null,
    created: s.created,
    currency: 'usd',
    currency_conversion: null,
    custom_fields: CHECKOUT.empty,
    custom_text: CHECKOUT.customText,
    customer: s.customer,
    customer_account: null,
    customer_creation: null,
    customer_details: complete
      ? {
          address: CHECKOUT.address,
          business_name: null,
          email: s.email,
          individual_name: null,
          name: s.name,
          phone: null,
          tax_exempt: 'none',
          tax_ids: CHECKOUT.empty,
        }
      : null,
    customer_email: null,
    discounts: CHECKOUT.empty,
    expires_at: s.created + DAY,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: s.livemode,
    locale: null,
    managed_payments: null,
    metadata: { userId: s.userId, toolSlug: s.toolSlug, videoCount: String(s.videoCount) },
    mode: 'payment',
    origin_context: null,
    payment_intent: complete ? ids.paymentIntent(r) : null,
    payment_link: null,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: CHECKOUT.paymentMethodOptions,
    payment_method_types: CHECKOUT.paymentMethodTypes,
    payment_status: s.paymentStatus,
    permissions: null,
    phone_number_collection: CHECKOUT.phoneNumberCollection,
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: CHECKOUT.empty,
    status: s.status,
    submit_type: 'pay',
    subscription: null,
    success_url: `${APP_URL}/success?session_id={CHECKOUT_SESSION_ID}`,
    total_details: CHECKOUT.totalDetails,
    ui_mode: 'hosted',
    url: complete ? null : `https://checkout.stripe.com/c/pay/${s.id}`,
    wallet_options: null,
  } as unknown as Stripe.Checkout.Session;
}

/**
 * `checkout.session.completed`, with the session as it was at completion. `pending_webhooks` is
 * the number of endpoints still owed a successful delivery: > 0 means delivery failed (and Stripe
 * keeps retrying), which is what `GET /v1/events?delivery_success=false` lists.
 */
export function checkoutCompletedEventWire(
  r: Random,
  session: Stripe.Checkout.Session,
  created: number,
  deliveryFailed: boolean,
): Stripe.Event {
  return {
    id: ids.event(r),
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created,
    // The session as it was at completion; nothing changes it afterwards, so the object is shared.
    data: { object: session },
    livemode: session.livemode,
    pending_webhooks: deliveryFailed ? r.int(1, 2) : 0,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
  } as unknown as Stripe.Event;
}

// ---------------------------------------------------------------------------------------------
// Clerk (Backend API User, OpenAPI 2026-05-12). The SDK's `UserJSON` lacks a few required fields
// of the OpenAPI schema (passkeys, saml_accounts, mfa_*); they are added so the wire shape is complete.

type ClerkEmailWire = EmailAddressJSON & {
  reserved: boolean;
  matches_sso_connection: boolean;
  created_at: number;
  updated_at: number;
};
type ClerkUserWire = UserJSON & {
  passkeys: never[];
  saml_accounts: never[];
  mfa_enabled_at: number | null;
  mfa_disabled_at: number | null;
  bypass_client_trust: boolean;
};

export interface ClerkUserInput {
  id: string;
  firstName: string;
  lastName: string | null;
  /** addresses oldest first; `primary` indexes the primary one */
  emails: { id: string; address: string; createdAt: number }[];
  primary: number;
  createdAt: number;
  lastSignInAt: number;
  publicMetadata: Record<string, unknown>;
}

const DEFAULT_IMAGE = 'https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18yIn0';

export function clerkUserWire(r: Random, u: ClerkUserInput): UserJSON {
  const emails: ClerkEmailWire[] = u.emails.map((e) => ({
    id: e.id,
    object: 'email_address',
    email_address: e.address,
    reserved: false,
    verification: {
      object: 'verification_otp',
      status: 'verified',
      strategy: 'email_code',
      attempts: 1,
      expire_at: e.createdAt + 600_000,
    } as unknown as EmailAddressJSON['verification'],
    linked_to: [],
    matches_sso_connection: false,
    created_at: e.createdAt,
    updated_at: e.createdAt + r.int(5_000, 120_000),
  }));
  const hasImage = r.chance(0.3);
  const user: ClerkUserWire = {
    id: u.id,
    object: 'user',
    external_id: null,
    primary_email_address_id: emails[u.primary]?.id ?? null,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    username: null,
    first_name: u.firstName,
    last_name: u.lastName,
    locale: null,
    timezone: null,
    image_url: hasImage
      ? `https://img.clerk.com/${r.id('eyJ0eXBlIjoicHJveHkiLCJzcmMiOi', 60)}`
      : DEFAULT_IMAGE,
    has_image: hasImage,
    public_metadata: u.publicMetadata,
    private_metadata: {},
    unsafe_metadata: {},
    email_addresses: emails,
    phone_numbers: [],
    web3_wallets: [],
    passkeys: [],
    password_enabled: r.chance(0.6),
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    mfa_enabled_at: null,
    mfa_disabled_at: null,
    password_last_updated_at: null,
    external_accounts: [],
    saml_accounts: [],
    enterprise_accounts: [],
    organization_memberships: [],
    last_sign_in_at: u.lastSignInAt,
    banned: false,
    locked: false,
    deprovisioned: false,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: 100,
    updated_at: Math.max(u.lastSignInAt, ...u.emails.map((e) => e.createdAt)),
    created_at: u.createdAt,
    delete_self_enabled: true,
    create_organization_enabled: true,
    create_organizations_limit: null,
    last_active_at: Math.floor(u.lastSignInAt / 86_400_000) * 86_400_000,
    legal_accepted_at: u.createdAt,
    bypass_client_trust: false,
  };
  return user;
}
