import type { UserJSON } from '@clerk/backend';
import type Stripe from 'stripe';

/**
 * Everything the sandbox upstreams hold, in the upstreams' own wire shapes (as their REST APIs
 * return them), so the real SDKs parse it exactly as they would parse Stripe and Clerk.
 * The seeder produces one; the sandbox loads it.
 */
export interface SandboxDataset {
  clerkUsers: UserJSON[];
  /** Stripe customers without an embedded `subscriptions` list; the sandbox expands on request. */
  stripeCustomers: Stripe.Customer[];
  stripeSubscriptions: Stripe.Subscription[];
  checkoutSessions: Stripe.Checkout.Session[];
  events: Stripe.Event[];
  /** invoices (`GET /v1/invoices`); datasets without any leave it out */
  invoices?: Stripe.Invoice[];
}

/** A Redis write as the app would make it: raw string value, TTL in seconds or none. */
export interface SeedRedisWrite {
  key: string;
  value: string;
  ttlSeconds: number | null;
}
