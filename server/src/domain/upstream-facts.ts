/**
 * What the customer domain needs to know about Clerk and Stripe, as plain data. Adapters fill
 * these from the SDK objects (`adapters/clerk-facts.ts`, `adapters/stripe-facts.ts`); diagnosis and
 * planning never see an SDK type, so their tests build facts by hand.
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
