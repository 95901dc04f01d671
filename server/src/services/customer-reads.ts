import type { Redis } from 'ioredis';
import { readCustomerKeysByScript } from '../adapters/customer-snapshot-script';
import {
  type CachedKey,
  type CustomerCacheSnapshot,
  type CustomerKeyRequest,
  type CustomerSnapshotKeys,
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

/**
 * One key as read. A key holding another Redis type answers GET with WRONGTYPE: it exists, with
 * no string value, which the customer domain reads as absent (and the raw panel shows as existing).
 */
interface Reading {
  key: string;
  raw: string | null;
  ttl: number;
  exists: boolean;
}

const isWrongType = (error: Error | null | undefined) => !!error && /WRONGTYPE/.test(error.message);

/** GET + TTL of each key, pipelined: one round trip. */
async function readKeys(redis: Redis, names: readonly string[]): Promise<Map<string, Reading>> {
  const pipeline = redis.pipeline();
  for (const key of names) pipeline.get(key).ttl(key);
  const replies = (await pipeline.exec()) ?? [];
  const read = new Map<string, Reading>();
  names.forEach((key, index) => {
    const [getError, raw] = replies[index * 2] ?? [];
    const [ttlError, ttl] = replies[index * 2 + 1] ?? [];
    if (getError && !isWrongType(getError)) throw getError;
    if (ttlError) throw ttlError;
    const value = getError ? null : ((raw as string | null | undefined) ?? null);
    read.set(key, { key, raw: value, ttl: Number(ttl), exists: value !== null || !!getError });
  });
  return read;
}

function namesOf(names: CustomerSnapshotKeys): { current: string[]; all: string[] } {
  const current = [
    names.mapping,
    names.customer,
    names.emailMapping,
    names.previousEmailMapping,
    ...names.subscriptions.map((entry) => entry.key),
  ].filter((key): key is string => key !== null);
  return { current, all: [...current, ...names.legacy] };
}

/** The snapshot of `request`'s keys from readings that hold every one of them. */
function assemble(
  request: CustomerKeyRequest,
  names: CustomerSnapshotKeys,
  read: ReadonlyMap<string, Reading>,
): ReadSnapshot {
  const { current, all } = namesOf(names);
  const cached = (key: string): CachedKey | null => {
    const entry = read.get(key);
    return entry ? { key, raw: entry.raw, ttl: entry.ttl } : null;
  };
  const reading = (key: string | null) => (key === null ? null : cached(key));
  const snapshot: CustomerCacheSnapshot = {
    userId: request.userId,
    mapping: reading(names.mapping),
    customer: reading(names.customer),
    emailMapping: reading(names.emailMapping),
    previousEmailMapping: reading(names.previousEmailMapping),
    subscriptions: names.subscriptions.map(({ id, key }) => ({
      id,
      ...(cached(key) ?? { key, raw: null, ttl: -2 }),
    })),
    legacyKeys: names.legacy.filter((key) => read.get(key)?.exists),
  };
  const keysRead = all
    .map((key) => read.get(key))
    .filter((entry): entry is Reading => entry !== undefined)
    .filter((entry) => current.includes(entry.key) || entry.exists)
    .map(({ key, exists, ttl, raw }) => ({ key, exists, ttl, raw }));
  return { snapshot, keys: keysRead };
}

/** One pipelined round trip: GET + TTL of every key the request names. */
export async function readCustomerKeys(
  redis: Redis,
  keys: Keys,
  request: CustomerKeyRequest,
): Promise<ReadSnapshot> {
  const names = customerSnapshotKeys(keys, request);
  return assemble(request, names, await readKeys(redis, namesOf(names).all));
}

/** The script reads one key per id it follows; more rounds are only for names it could not build. */
const MAX_FALLBACK_READS = 3;

/**
 * The whole health snapshot — mapping → customer id → record → email and subscriptions — in one
 * round trip (a Lua script, adapters/customer-snapshot-script). The domain then names the keys it
 * wants from the values read (`healthSnapshotRequest`); any the script did not build the same way
 * (an email with non-ASCII capitals, say) is read with one more pipelined GET + TTL.
 */
export async function readCustomerSnapshot(redis: Redis, keys: Keys, userId: string): Promise<ReadSnapshot> {
  const read = new Map<string, Reading>();
  for (const [key, entry] of await readCustomerKeysByScript(redis, keys, userId)) {
    read.set(key, { key, raw: entry.raw, ttl: entry.ttl, exists: entry.raw !== null || !!entry.wrongType });
  }
  for (let round = 0; ; round += 1) {
    const rawOf = (key: string | null) => (key === null ? undefined : (read.get(key)?.raw ?? undefined));
    const withCustomerId = healthSnapshotRequest(userId, { mapping: rawOf(keys.user(userId)) });
    const customerKey = withCustomerId.customerId ? keys.customer(withCustomerId.customerId) : null;
    const request = healthSnapshotRequest(userId, {
      mapping: rawOf(keys.user(userId)),
      customer: rawOf(customerKey),
    });
    const names = customerSnapshotKeys(keys, request);
    const missing = [...namesOf(names).all, ...(customerKey ? [customerKey] : [])].filter(
      (key) => !read.has(key),
    );
    if (missing.length === 0 || round === MAX_FALLBACK_READS) return assemble(request, names, read);
    for (const [key, entry] of await readKeys(redis, missing)) read.set(key, entry);
  }
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
