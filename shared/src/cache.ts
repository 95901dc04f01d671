import { z } from 'zod';

/**
 * Cache records as the app writes them (SPEC §1.1). Schemas are loose: the app may add fields we
 * do not know, and every repair must carry them through, so unknown keys pass.
 */
export const customerRecordSchema = z.looseObject({
  stripeCustomerId: z.string(),
  email: z.string(),
  userId: z.string(),
  name: z.string().nullable(),
  subscriptions: z.array(z.string()),
  defaultPaymentMethod: z.string().nullable(),
  /** unix seconds, as Stripe gives it */
  created: z.number(),
  /** unix milliseconds as the app writes it; older records hold seconds */
  updatedAt: z.number(),
});
export type CustomerRecord = z.infer<typeof customerRecordSchema>;

export const subscriptionRecordSchema = z.looseObject({
  id: z.string(),
  customerId: z.string(),
  status: z.string(),
  priceId: z.string().nullable(),
  productId: z.string().nullable(),
  currentPeriodEnd: z.number().nullable(),
  cancelAtPeriodEnd: z.boolean(),
  created: z.number(),
  updatedAt: z.number(),
});
export type SubscriptionRecord = z.infer<typeof subscriptionRecordSchema>;

/** The app's cache keys expire after 24 h; session records after 30 days. */
export const CUSTOMER_CACHE_TTL_SECONDS = 24 * 60 * 60;
export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Timestamps below this are seconds, above it milliseconds (1e11 ms is 1973; 1e11 s is year 5138). */
const SECONDS_MS_BOUNDARY = 1e11;
export function toMillis(timestamp: number): number {
  return timestamp < SECONDS_MS_BOUNDARY ? timestamp * 1000 : timestamp;
}
