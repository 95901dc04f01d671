import type { User } from '@clerk/backend';
import type Stripe from 'stripe';

/**
 * What the customer domain needs to know about Clerk and Stripe, as plain data. Adapters fill
 * these from the SDK objects with the converters below; diagnosis and planning never see an SDK
 * type, so their tests build facts by hand.
 */

export interface ClerkUserFacts {
  id: string;
  primaryEmail: string | null;
  firstName: string | null;
  lastName: string | null;
  /** unix milliseconds, as Clerk gives it */
  createdAt: number;
}

export interface StripeSubscriptionFacts {
  id: string;
  customerId: string;
  /** Stripe's status: active, trialing, past_due, canceled, ... */
  status: string;
  /** price and product of the first item, as the app records them */
  priceId: string | null;
  productId: string | null;
  /** unix seconds */
  currentPeriodEnd: number | null;
  cancelAtPeriodEnd: boolean;
  /** unix seconds */
  created: number;
}

export interface StripeCustomerFacts {
  id: string;
  /** Stripe still answers for a deleted customer, with nothing but its id */
  deleted: boolean;
  email: string | null;
  name: string | null;
  /** `metadata.userId`: the Clerk user the app linked this customer to */
  userId: string | null;
  /** unix seconds; null only for a deleted customer, which Stripe reports without it */
  created: number | null;
  defaultPaymentMethod: string | null;
  subscriptions: StripeSubscriptionFacts[];
}

/** A customer Stripe still has: the only kind whose data can be cached. */
export type LiveStripeCustomerFacts = StripeCustomerFacts & { deleted: false; created: number };

export function isLiveCustomer(customer: StripeCustomerFacts | null): customer is LiveStripeCustomerFacts {
  return customer !== null && !customer.deleted && customer.created !== null;
}

/** Reads the primary address from the list, so plain JSON-shaped users (fakes) work as well as SDK instances. */
export function clerkUserFacts(user: User): ClerkUserFacts {
  const primary = user.emailAddresses.find((address) => address.id === user.primaryEmailAddressId);
  return {
    id: user.id,
    primaryEmail: primary?.emailAddress ?? null,
    firstName: user.firstName,
    lastName: user.lastName,
    createdAt: user.createdAt,
  };
}

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
