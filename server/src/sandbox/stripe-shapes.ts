import type Stripe from 'stripe';

/*
 * Wire shapes of Stripe objects, trimmed from Stripe's public OpenAPI fixtures
 * (openapi/fixtures3.json). MIT licence, Copyright (c) 2011- Stripe, Inc.
 * Only the field layout is taken; ids, times and values are filled in per object.
 */

/** A customer as `POST /v1/customers` answers it (no `subscriptions`: Stripe embeds that only on expand). */
export function customerShape(fields: {
  id: string;
  created: number;
  livemode: boolean;
  email?: string | null;
  name?: string | null;
  description?: string | null;
  phone?: string | null;
  metadata?: Record<string, string>;
}): Stripe.Customer {
  return {
    id: fields.id,
    object: 'customer',
    address: null,
    balance: 0,
    created: fields.created,
    currency: null,
    default_source: null,
    delinquent: false,
    description: fields.description ?? null,
    discount: null,
    email: fields.email ?? null,
    invoice_prefix: fields.id.slice(4, 12).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: fields.livemode,
    metadata: fields.metadata ?? {},
    name: fields.name ?? null,
    next_invoice_sequence: 1,
    phone: fields.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

/** `{ object: 'list', url, has_more, data }`, Stripe's list envelope; `has_more` drives the SDK's auto-pagination. */
export function listShape<T>(url: string, data: T[], hasMore: boolean): Stripe.ApiList<T> {
  return { object: 'list', url, has_more: hasMore, data };
}
