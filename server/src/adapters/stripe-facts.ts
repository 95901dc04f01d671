import type { FailedEvent } from '@cache-doctor/shared';
import type Stripe from 'stripe';
import type { CheckoutFacts } from '../domain/session-sweep';
import type { StoryEvent, StoryInvoice, StorySubscription } from '../domain/timeline';
import type { StripeCustomerFacts, StripeSubscriptionFacts } from '../domain/upstream-facts';

/**
 * Stripe's SDK objects turned into the domain's own facts: the only place that knows Stripe's field
 * names. Plain JSON-shaped objects (the sandbox, fakes, older API versions) work as well as the SDK's.
 */

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null);

/**
 * Since API version 2025-03-31 the billing period lives on each subscription item; responses of
 * older API versions (or fakes mimicking them) still carry it on the subscription itself.
 */
function currentPeriodEnd(subscription: Stripe.Subscription): number | null {
  const fromItem = subscription.items?.data[0]?.current_period_end;
  if (typeof fromItem === 'number') return fromItem;
  const fromOlderApi = (subscription as { current_period_end?: unknown }).current_period_end;
  return typeof fromOlderApi === 'number' ? fromOlderApi : null;
}

export function stripeSubscriptionFacts(subscription: Stripe.Subscription): StripeSubscriptionFacts {
  const price = subscription.items?.data[0]?.price;
  return {
    id: subscription.id,
    customerId: idOf(subscription.customer) ?? '',
    status: subscription.status,
    priceId: price?.id ?? null,
    productId: idOf(price?.product),
    currentPeriodEnd: currentPeriodEnd(subscription),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    created: subscription.created,
  };
}

const nonEmpty = (value: string | null | undefined): string | null => (value ? value : null);

export function stripeCustomerFacts(
  customer: Stripe.Customer | Stripe.DeletedCustomer,
  subscriptions: readonly Stripe.Subscription[],
): StripeCustomerFacts {
  if (customer.deleted) {
    return {
      id: customer.id,
      deleted: true,
      email: null,
      name: null,
      userId: null,
      created: null,
      defaultPaymentMethod: null,
      subscriptions: [],
    };
  }
  return {
    id: customer.id,
    deleted: false,
    email: nonEmpty(customer.email),
    name: nonEmpty(customer.name),
    userId: nonEmpty(customer.metadata?.userId),
    created: customer.created,
    defaultPaymentMethod: idOf(customer.invoice_settings?.default_payment_method),
    subscriptions: subscriptions.map(stripeSubscriptionFacts),
  };
}

/** One checkout session: for the sweep, a session's diagnosis and its timeline. */
export function checkoutFacts(session: Stripe.Checkout.Session): CheckoutFacts {
  return {
    sessionId: session.id,
    created: session.created,
    amountTotal: session.amount_total,
    currency: session.currency,
    customerEmail: session.customer_details?.email ?? session.customer_email ?? null,
    stripe: { status: session.status ?? null, paymentStatus: session.payment_status ?? null },
  };
}

/** A failed-delivery event, linked to the checkout session it carries (if it carries one). */
export function failedEventFacts(event: Stripe.Event): FailedEvent {
  const object = event.data.object as { object?: unknown; id?: unknown };
  return {
    id: event.id,
    type: event.type,
    created: event.created,
    sessionId: object.object === 'checkout.session' && typeof object.id === 'string' ? object.id : null,
  };
}

function storySubscription(subscription: Stripe.Subscription): StorySubscription {
  return {
    id: subscription.id,
    created: subscription.created,
    canceledAt: subscription.canceled_at ?? null,
    priceNickname: subscription.items.data[0]?.price.nickname ?? null,
  };
}

/** null for an invoice without an id (Stripe's previews of an upcoming invoice): nothing to show. */
function storyInvoice(invoice: Stripe.Invoice): StoryInvoice | null {
  if (!invoice.id) return null;
  return {
    id: invoice.id,
    status: invoice.status ?? null,
    amountPaid: invoice.amount_paid,
    amountDue: invoice.amount_due,
    currency: invoice.currency,
    billingReason: invoice.billing_reason ?? null,
    paidAt: invoice.status_transitions?.paid_at ?? null,
    created: invoice.created,
    attemptCount: invoice.attempt_count,
  };
}

/** A customer's Stripe history as the timeline's facts (`userStory`). */
export function stripeStoryFacts(history: {
  subscriptions: readonly Stripe.Subscription[];
  sessions: readonly Stripe.Checkout.Session[];
  invoices: readonly Stripe.Invoice[];
}) {
  return {
    subscriptions: history.subscriptions.map(storySubscription),
    sessions: history.sessions.map(checkoutFacts),
    invoices: history.invoices.flatMap((invoice) => storyInvoice(invoice) ?? []),
  };
}

/** An event about a checkout session, for its timeline (`sessionStory`). */
export function storyEventFacts(event: Stripe.Event): StoryEvent {
  return { id: event.id, type: event.type, created: event.created, pendingWebhooks: event.pending_webhooks };
}
