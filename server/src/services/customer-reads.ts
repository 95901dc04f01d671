import type { Redis } from 'ioredis';
import {
  type CachedKey,
  type CustomerCacheSnapshot,
  type CustomerKeyRequest,
  customerSnapshotKeys,
  healthSnapshotRequest,
} from '../domain/customer-snapshot';
import {
  type ClerkUserFacts,
  clerkUserFacts,
  type StripeCustomerFacts,
  stripeCustomerFacts,
} from '../domain/upstream-facts';
import type { Keys } from '../keys';
import type { Services } from './container';

/** A key as the raw-values panel shows it. */
export interface RawKey {
  key: string;
  exists: boolean;
  ttl: number;
  raw: string | null;
}

export interface ReadSnapshot {
  snapshot: CustomerCacheSnapshot;
  /** every key read, present or not, legacy ones included */
  keys: RawKey[];
}

/** One pipelined round trip: GET + TTL of every key the request names. */
export async function readCustomerKeys(
  redis: Redis,
  keys: Keys,
  request: CustomerKeyRequest,
): Promise<ReadSnapshot> {
  const names = customerSnapshotKeys(keys, request);
  const current = [
    names.mapping,
    names.customer,
    names.emailMapping,
    names.previousEmailMapping,
    ...names.subscriptions.map((entry) => entry.key),
  ].filter((key): key is string => key !== null);
  const all = [...current, ...names.legacy];
  const pipeline = redis.pipeline();
  for (const key of all) pipeline.get(key).ttl(key);
  const replies = (await pipeline.exec()) ?? [];
  const read = new Map<string, CachedKey>();
  all.forEach((key, index) => {
    const [getError, raw] = replies[index * 2] ?? [];
    const [ttlError, ttl] = replies[index * 2 + 1] ?? [];
    if (getError) throw getError;
    if (ttlError) throw ttlError;
    read.set(key, { key, raw: raw ?? null, ttl: Number(ttl) });
  });
  const reading = (key: string | null) => (key === null ? null : (read.get(key) ?? null));
  const snapshot: CustomerCacheSnapshot = {
    userId: request.userId,
    mapping: reading(names.mapping),
    customer: reading(names.customer),
    emailMapping: reading(names.emailMapping),
    previousEmailMapping: reading(names.previousEmailMapping),
    subscriptions: names.subscriptions.map(({ id, key }) => ({
      id,
      ...(read.get(key) ?? { key, raw: null, ttl: -2 }),
    })),
    legacyKeys: names.legacy.filter((key) => read.get(key)?.raw != null),
  };
  const keysRead = all
    .map((key) => read.get(key))
    .filter((entry): entry is CachedKey => entry !== undefined)
    .filter((entry) => current.includes(entry.key) || entry.raw !== null)
    .map((entry) => ({
      key: entry.key,
      exists: entry.raw !== null,
      ttl: entry.ttl,
      raw: (entry.raw as string | null) ?? null,
    }));
  return { snapshot, keys: keysRead };
}

/**
 * The whole snapshot in the staged order the keys depend on: mapping → customer id → record →
 * email and subscriptions. Three loopback round trips, each pipelined.
 */
export async function readCustomerSnapshot(redis: Redis, keys: Keys, userId: string): Promise<ReadSnapshot> {
  const mappingOnly = await readCustomerKeys(redis, keys, { userId });
  const withCustomerId = healthSnapshotRequest(userId, { mapping: mappingOnly.snapshot.mapping?.raw });
  if (!withCustomerId.customerId) return mappingOnly;
  const withRecord = await readCustomerKeys(redis, keys, withCustomerId);
  const full = healthSnapshotRequest(userId, {
    mapping: withRecord.snapshot.mapping?.raw,
    customer: withRecord.snapshot.customer?.raw,
  });
  return readCustomerKeys(redis, keys, full);
}

export const mappedCustomerId = (snapshot: CustomerCacheSnapshot): string | null =>
  healthSnapshotRequest(snapshot.userId, { mapping: snapshot.mapping?.raw }).customerId ?? null;

export interface UpstreamFacts {
  clerk: ClerkUserFacts | null;
  stripe: StripeCustomerFacts | null;
}

async function stripeFacts(services: Services, customerId: string): Promise<StripeCustomerFacts | null> {
  const found = await services.stripe.getCustomer(customerId);
  return found ? stripeCustomerFacts(found.customer, found.subscriptions) : null;
}

async function stripeFactsByEmail(
  services: Services,
  email: string | null,
): Promise<StripeCustomerFacts | null> {
  if (!email) return null;
  const found = await services.stripe.findCustomerByEmail(email);
  return found ? stripeCustomerFacts(found.customer, found.subscriptions) : null;
}

/** Clerk's user and the Stripe customer the cache points at (if it points at one), in parallel. */
export async function fetchClerkAndMappedStripe(
  services: Services,
  userId: string,
  customerId: string | null,
): Promise<UpstreamFacts> {
  const [user, stripe] = await Promise.all([
    services.clerk.getUser(userId),
    customerId ? stripeFacts(services, customerId) : Promise.resolve(null),
  ]);
  return { clerk: user ? clerkUserFacts(user) : null, stripe };
}

/**
 * Clerk and the Stripe customer the cache points at, in one round of parallel calls. Only when the
 * cache names no customer does Stripe get asked by the Clerk email, which needs Clerk's answer first.
 */
export async function fetchMappedUpstream(
  services: Services,
  userId: string,
  customerId: string | null,
): Promise<UpstreamFacts> {
  const mapped = await fetchClerkAndMappedStripe(services, userId, customerId);
  if (customerId) return mapped;
  return { ...mapped, stripe: await stripeFactsByEmail(services, mapped.clerk?.primaryEmail ?? null) };
}

/**
 * What a refresh caches: the mapped customer while Stripe still has it, else the user's live
 * customer found by email (a customer re-created in Stripe gets picked up instead of refused).
 */
export async function fetchRefreshUpstream(
  services: Services,
  userId: string,
  customerId: string | null,
): Promise<UpstreamFacts> {
  const mapped = await fetchMappedUpstream(services, userId, customerId);
  if (!customerId || (mapped.stripe && !mapped.stripe.deleted)) return mapped;
  const byEmail = await stripeFactsByEmail(services, mapped.clerk?.primaryEmail ?? null);
  return { clerk: mapped.clerk, stripe: byEmail?.deleted === false ? byEmail : mapped.stripe };
}
