import type Stripe from 'stripe';
import type { Random } from './seed-random';
import { ids } from './seed-random';
import { DAY, deepFreeze, STRIPE_API_VERSION } from './seed-wire';

/** Stripe checkout sessions and their `checkout.session.completed` events in their wire shapes (see seed-wire.ts). */

/** Constant nested parts, one frozen instance shared by every session (see SUB in seed-wire.ts). */
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
