import type { Keys } from '../keys';
import { type JsonObject, jsonRecordOrNull, readMapping } from './cached-value';

/**
 * What Redis holds for one user's customer cache (SPEC §1.1). The redis adapter fills it; health,
 * sync, check-kv-sync and the refresh plan are computed from it alone.
 *
 * Keys depend on values: the mapping names the customer id, the record names the email and the
 * subscriptions. `healthSnapshotRequest` says what to read once the mapping (and then the record) is
 * known, and `customerSnapshotKeys(keys, request)` names those keys. The adapter
 * (`adapters/customer-snapshot-script.ts`) follows the chain inside Redis in one round trip; a
 * refresh reads any further keys its plan touches the same way (see `planRefresh`).
 */

/**
 * One key as read. `raw` null/undefined and `ttl` -2 mean the key does not exist. The adapter fills
 * every slot its request named, absent keys included; a null slot means "not requested" (health
 * reads may also use null for absent: diagnosis treats both alike, a refresh plan re-asks).
 */
export interface CachedKey {
  key: string;
  /** a string (ioredis) or an already-parsed value (Upstash REST) */
  raw: unknown;
  /** Redis semantics: seconds left, -1 never expires, -2 does not exist */
  ttl: number;
}

export interface CustomerCacheSnapshot {
  userId: string;
  /** `user:{userId}`; always read first, so null means absent */
  mapping: CachedKey | null;
  /** `customer:{customerId}`; null when not read (no customer id known) or absent */
  customer: CachedKey | null;
  /** `email:{email}` for the email the request named; null when not read or absent */
  emailMapping: CachedKey | null;
  /**
   * A refresh that changes the email also reads the old address's mapping, to delete it when it
   * points at this customer. Health reads leave it out.
   */
  previousEmailMapping?: CachedKey | null;
  /** one entry per requested subscription id, present or not */
  subscriptions: Array<CachedKey & { id: string }>;
  /** older-layout keys that exist (SPEC §1.1), e.g. `stripe:user:{userId}` */
  legacyKeys: string[];
}

/** Which of a user's keys to read: whatever is known so far. */
export interface CustomerKeyRequest {
  userId: string;
  customerId?: string | null;
  email?: string | null;
  previousEmail?: string | null;
  subscriptionIds?: readonly string[];
}

export interface CustomerSnapshotKeys {
  mapping: string;
  customer: string | null;
  emailMapping: string | null;
  previousEmailMapping: string | null;
  subscriptions: Array<{ id: string; key: string }>;
  /** older-layout keys for the same ids; check with EXISTS and list the present ones in `legacyKeys` */
  legacy: string[];
}

export function customerSnapshotKeys(keys: Keys, request: CustomerKeyRequest): CustomerSnapshotKeys {
  const { userId, customerId, email, previousEmail } = request;
  const subscriptionIds = request.subscriptionIds ?? [];
  const legacy = [
    keys.legacy.user(userId),
    ...(customerId ? [keys.legacy.customer(customerId)] : []),
    ...(email ? [keys.legacy.email(email)] : []),
    ...subscriptionIds.map((id) => keys.legacy.subscription(id)),
  ];
  return {
    mapping: keys.user(userId),
    customer: customerId ? keys.customer(customerId) : null,
    emailMapping: email ? keys.email(email) : null,
    previousEmailMapping: previousEmail ? keys.email(previousEmail) : null,
    subscriptions: subscriptionIds.map((id) => ({ id, key: keys.subscription(id) })),
    legacy,
  };
}

/** The record's links to other keys, taking only values of the right type (a broken record links nowhere). */
export function recordLinks(record: JsonObject | null): { email: string | null; subscriptionIds: string[] } {
  const email = typeof record?.email === 'string' && record.email !== '' ? record.email : null;
  const listed = Array.isArray(record?.subscriptions) ? record.subscriptions : [];
  const subscriptionIds = [
    ...new Set(listed.filter((id): id is string => typeof id === 'string' && id !== '')),
  ];
  return { email, subscriptionIds };
}

/**
 * The health read's request after each stage: pass the raw values read so far. The mapping gives
 * the customer id, the record gives the email and subscription ids.
 */
export function healthSnapshotRequest(
  userId: string,
  read: { mapping?: unknown; customer?: unknown },
): CustomerKeyRequest {
  const mapping = readMapping(read.mapping);
  if (mapping.kind !== 'ok') return { userId };
  const links = recordLinks(jsonRecordOrNull(read.customer));
  return {
    userId,
    customerId: mapping.customerId,
    email: links.email,
    subscriptionIds: links.subscriptionIds,
  };
}

/** The cached customer record and the readable subscription records, as sync diagnosis takes them. */
export function cachedCustomerView(snapshot: CustomerCacheSnapshot): {
  cached: JsonObject | null;
  cachedSubscriptions: JsonObject[];
} {
  const cached =
    readMapping(snapshot.mapping?.raw).kind === 'ok' ? jsonRecordOrNull(snapshot.customer?.raw) : null;
  const cachedSubscriptions = snapshot.subscriptions
    .map((entry) => jsonRecordOrNull(entry.raw))
    .filter((record): record is JsonObject => record !== null);
  return { cached, cachedSubscriptions };
}

/** Every key the snapshot holds a reading of, by name: what a refresh plan takes its before-images from. */
export function readingsByKey(snapshot: CustomerCacheSnapshot, mappingKey: string): Map<string, CachedKey> {
  const readings = new Map<string, CachedKey>();
  // the mapping is always read, so its absence is a reading too
  readings.set(mappingKey, snapshot.mapping ?? { key: mappingKey, raw: null, ttl: -2 });
  for (const entry of [
    snapshot.customer,
    snapshot.emailMapping,
    snapshot.previousEmailMapping,
    ...snapshot.subscriptions,
  ]) {
    if (entry) readings.set(entry.key, entry);
  }
  return readings;
}

/** Every key name of a request: current ones (GET + TTL) and legacy ones (EXISTS is enough). */
export function snapshotKeyNames(names: CustomerSnapshotKeys): { current: string[]; legacy: string[] } {
  const current = [
    names.mapping,
    names.customer,
    names.emailMapping,
    names.previousEmailMapping,
    ...names.subscriptions.map((entry) => entry.key),
  ].filter((key): key is string => key !== null);
  return { current, legacy: names.legacy };
}

/** One key as an adapter read it: the value (a string, or null when absent) and its TTL. */
export interface KeyReading {
  raw: unknown;
  ttl: number;
}

/**
 * The snapshot of `request`'s keys from what an adapter read — one user's pipeline or a batch's
 * script, the same assembly for both. A slot whose key was not read stays null (not requested);
 * a subscription not read counts as absent.
 */
export function assembleSnapshot(
  request: CustomerKeyRequest,
  names: CustomerSnapshotKeys,
  readingOf: (key: string) => KeyReading | undefined,
  legacyExists: (key: string) => boolean,
): CustomerCacheSnapshot {
  const reading = (key: string | null): CachedKey | null => {
    if (key === null) return null;
    const read = readingOf(key);
    return read ? { key, raw: read.raw, ttl: read.ttl } : null;
  };
  return {
    userId: request.userId,
    mapping: reading(names.mapping),
    customer: reading(names.customer),
    emailMapping: reading(names.emailMapping),
    previousEmailMapping: reading(names.previousEmailMapping),
    subscriptions: names.subscriptions.map(({ id, key }) => ({
      id,
      ...(reading(key) ?? { key, raw: null, ttl: -2 }),
    })),
    legacyKeys: names.legacy.filter(legacyExists),
  };
}
