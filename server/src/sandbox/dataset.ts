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
  /** the generation API's files (`GET /api/v1/file/{id}`) behind sessions already processing */
  generationFiles?: GenerationFileWire[];
}

/** A dataset with nothing in it, its lists fresh (a seed fills them in place). */
export const emptyDataset = (): SandboxDataset => ({
  clerkUsers: [],
  stripeCustomers: [],
  stripeSubscriptions: [],
  checkoutSessions: [],
  events: [],
  generationFiles: [],
});

/** A file as the generation API answers for it (SPEC §6.4). */
export interface GenerationFileWire {
  id: string;
  status: 'queued' | 'processing' | 'completed' | 'failed';
  created_at: string;
  updated_at: string;
  url: string | null;
  error: string | null;
}

/** A Redis write as the app would make it: raw string value, TTL in seconds or none. */
export interface SeedRedisWrite {
  key: string;
  value: string;
  ttlSeconds: number | null;
}
