import type { UserJSON } from '@clerk/backend';
import type Stripe from 'stripe';
import { emailAddressShape } from './clerk-store';
import type { SandboxDataset } from './dataset';
import { customerShape } from './stripe-shapes';

/*
 * Small hand-built datasets for the sandbox's own tests (the seeder builds the big ones).
 * Object layouts are trimmed from the providers' public references:
 * - Stripe: openapi/fixtures3.json. MIT licence, Copyright (c) 2011- Stripe, Inc.
 * - Clerk: Backend API OpenAPI specification 2026-05-12. MIT licence, Copyright (c) 2025 Clerk.
 */

/** Deterministic ids, so a failing test names the same objects every run. */
let sequence = 0;
const nextId = (prefix: string) => `${prefix}_test${String(++sequence).padStart(8, '0')}`;

const T0 = 1_760_000_000; // 2025-10-09, in Stripe's unix seconds

export function testCustomer(fields: Partial<Stripe.Customer> = {}): Stripe.Customer {
  const id = fields.id ?? nextId('cus');
  return { ...customerShape({ id, created: fields.created ?? T0, livemode: false }), ...fields };
}

/** A customer as a dataset marks it deleted: Stripe answers `{ id, object, deleted: true }` for it. */
export function testDeletedCustomer(id = nextId('cus')): Stripe.Customer {
  return { ...testCustomer({ id }), deleted: true } as unknown as Stripe.Customer;
}

export function testSubscription(fields: {
  customer: string;
  id?: string;
  status?: Stripe.Subscription.Status;
  created?: number;
  priceId?: string;
  productId?: string;
}): Stripe.Subscription {
  const id = fields.id ?? nextId('sub');
  const created = fields.created ?? T0;
  const price = {
    id: fields.priceId ?? 'price_1PgafmB7WZ01zgkW6dKueIc5',
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: T0,
    currency: 'usd',
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: fields.productId ?? 'prod_QXg1hqf4jFNsqG',
    recurring: {
      interval: 'month',
      interval_count: 1,
      meter: null,
      usage_type: 'licensed',
      trial_period_days: null,
    },
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: 2000,
    unit_amount_decimal: '2000',
  };
  const subscription = {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { enabled: false, liability: null, disabled_reason: null },
    billing_cycle_anchor: created,
    billing_cycle_anchor_config: null,
    billing_mode: { type: 'classic' },
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: 'charge_automatically',
    created,
    currency: 'usd',
    customer: fields.customer,
    customer_account: null,
    days_until_due: null,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
    items: {
      object: 'list',
      data: [
        {
          id: `si_${id.slice(4)}`,
          object: 'subscription_item',
          created,
          current_period_start: created,
          current_period_end: created + 30 * 86_400,
          discounts: [],
          metadata: {},
          price,
          quantity: 1,
          subscription: id,
          tax_rates: [],
        },
      ],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: null,
    livemode: false,
    metadata: {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: null,
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: created,
    status: fields.status ?? 'active',
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
    trial_start: null,
  };
  return subscription as unknown as Stripe.Subscription;
}

export function testCheckoutSession(
  fields: {
    id?: string;
    status?: Stripe.Checkout.Session.Status;
    payment_status?: Stripe.Checkout.Session.PaymentStatus;
    created?: number;
    customer?: string | null;
    customer_email?: string | null;
    amount_total?: number;
  } = {},
): Stripe.Checkout.Session {
  const id = fields.id ?? nextId('cs_test');
  const created = fields.created ?? T0;
  const session = {
    id,
    object: 'checkout.session',
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: fields.amount_total ?? 1500,
    amount_total: fields.amount_total ?? 1500,
    automatic_tax: { enabled: false, liability: null, status: null, provider: null },
    billing_address_collection: null,
    cancel_url: 'https://example.com/cancel',
    client_reference_id: null,
    client_secret: null,
    consent: null,
    consent_collection: null,
    created,
    currency: 'usd',
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: fields.customer ?? null,
    customer_creation: 'if_required',
    customer_details: {
      address: null,
      email: fields.customer_email ?? 'example@example.com',
      name: null,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    },
    customer_email: fields.customer_email ?? null,
    expires_at: created + 86_400,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    metadata: {},
    mode: 'payment',
    payment_intent: `pi_${id.slice(-12)}`,
    payment_link: null,
    payment_method_collection: null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: fields.payment_status ?? (fields.status === 'complete' ? 'paid' : 'unpaid'),
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: fields.status ?? 'open',
    submit_type: null,
    subscription: null,
    success_url: 'https://example.com/success',
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: fields.status === 'open' || !fields.status ? `https://checkout.stripe.com/c/pay/${id}` : null,
  };
  return session as unknown as Stripe.Checkout.Session;
}

export function testEvent(fields: {
  type: string;
  object: { id: string; object: string };
  id?: string;
  created?: number;
  /** above zero: webhook delivery has not succeeded (what `delivery_success=false` lists) */
  pending_webhooks?: number;
}): Stripe.Event {
  const event = {
    id: fields.id ?? nextId('evt'),
    object: 'event',
    api_version: '2026-10-28.clover',
    created: fields.created ?? T0,
    data: { object: fields.object },
    livemode: false,
    pending_webhooks: fields.pending_webhooks ?? 0,
    request: { id: null, idempotency_key: null },
    type: fields.type,
  };
  return event as unknown as Stripe.Event;
}

export function testClerkUser(
  fields: {
    id?: string;
    email?: string | null;
    first_name?: string | null;
    last_name?: string | null;
    /** Clerk's milliseconds */
    created_at?: number;
    public_metadata?: Record<string, unknown>;
  } = {},
): UserJSON {
  const id = fields.id ?? nextId('user');
  const created = fields.created_at ?? T0 * 1000;
  const emails =
    fields.email === null
      ? []
      : [emailAddressShape(`idn_${id.slice(5)}`, fields.email ?? `${id}@example.com`, created)];
  return {
    id,
    object: 'user',
    external_id: null,
    primary_email_address_id: emails[0]?.id ?? null,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    username: null,
    first_name: fields.first_name === undefined ? 'Test' : fields.first_name,
    last_name: fields.last_name === undefined ? 'User' : fields.last_name,
    locale: null,
    timezone: null,
    image_url: 'https://img.clerk.com/placeholder',
    has_image: false,
    public_metadata: fields.public_metadata ?? {},
    private_metadata: {},
    unsafe_metadata: {},
    email_addresses: emails,
    phone_numbers: [],
    web3_wallets: [],
    external_accounts: [],
    enterprise_accounts: [],
    organization_memberships: null,
    password_enabled: true,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    password_last_updated_at: null,
    last_sign_in_at: null,
    banned: false,
    locked: false,
    deprovisioned: false,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: 100,
    created_at: created,
    updated_at: created,
    last_active_at: null,
    create_organization_enabled: true,
    create_organizations_limit: null,
    delete_self_enabled: true,
    legal_accepted_at: null,
  };
}

export function testDataset(parts: Partial<SandboxDataset> = {}): SandboxDataset {
  return {
    clerkUsers: parts.clerkUsers ?? [],
    stripeCustomers: parts.stripeCustomers ?? [],
    stripeSubscriptions: parts.stripeSubscriptions ?? [],
    checkoutSessions: parts.checkoutSessions ?? [],
    events: parts.events ?? [],
  };
}
