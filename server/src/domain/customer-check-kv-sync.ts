import { readJsonRecord, readMapping } from './cached-value';
import { clerkFullName, sameEmail, sameName } from './customer-record';
import type { CustomerCacheSnapshot } from './customer-snapshot';
import { type ClerkUserFacts, isLiveCustomer, type StripeCustomerFacts } from './upstream-facts';

/**
 * `GET /api/user/check-kv-sync` (SPEC §6.2): the app's own endpoint, kept with its own rules and
 * shape. Every flag is a boolean, whatever is missing; `customerId` is the mapped id or null.
 * Emails and "no name" compare as everywhere else in Cache Doctor (`sameEmail`, `sameName`), so
 * this view never contradicts the sync diagnosis.
 */
export interface KvSyncCheck {
  isInSync: boolean;
  debug: {
    hasCustomerId: boolean;
    hasCustomerData: boolean;
    customerId: string | null;
    basicDataInSync: boolean;
    stripeDataInSync: boolean;
  };
}

export interface KvSyncInput {
  userId: string;
  snapshot: Pick<CustomerCacheSnapshot, 'mapping' | 'customer'>;
  clerk: ClerkUserFacts | null;
  /** the customer Stripe returned for the mapped id */
  stripe: StripeCustomerFacts | null;
}

export function checkKvSync({ userId, snapshot, clerk, stripe }: KvSyncInput): KvSyncCheck {
  const mapping = readMapping(snapshot.mapping?.raw);
  // A malformed mapping is no customer id: the app would look up a key that cannot exist.
  const customerId = mapping.kind === 'ok' ? mapping.customerId : null;
  const read = customerId ? readJsonRecord(snapshot.customer?.raw) : null;
  const record = read?.kind === 'ok' ? read.value : null;
  const primaryEmail = clerk?.primaryEmail ?? null;

  // basic: cached email = Clerk primary email, cached name = Clerk's first + last name, cached userId = this user
  const basicDataInSync =
    record !== null &&
    clerk !== null &&
    typeof record.email === 'string' &&
    sameEmail(record.email, primaryEmail) &&
    sameName(record.name, clerkFullName(clerk)) &&
    record.userId === userId;

  // Stripe: customer retrievable and not deleted, its email = Clerk primary email, record shaped as the app reads it
  const stripeDataInSync =
    record !== null &&
    clerk !== null &&
    isLiveCustomer(stripe) &&
    sameEmail(stripe.email, primaryEmail) &&
    Array.isArray(record.subscriptions) &&
    typeof record.created === 'number' &&
    typeof record.updatedAt === 'number';

  const hasCustomerId = customerId !== null;
  const hasCustomerData = record !== null;
  return {
    isInSync: hasCustomerId && hasCustomerData && basicDataInSync && stripeDataInSync,
    debug: { hasCustomerId, hasCustomerData, customerId, basicDataInSync, stripeDataInSync },
  };
}
