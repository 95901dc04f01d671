import type { Redis } from 'ioredis';
import {
  assembleSnapshot,
  type CustomerCacheSnapshot,
  type CustomerKeyRequest,
  type CustomerSnapshotKeys,
  customerSnapshotKeys,
  healthSnapshotRequest,
  type KeyReading,
  snapshotKeyNames,
} from '../domain/customer-snapshot';
import type { Keys } from '../keys';
import { readCustomerKeysByScript } from './customer-snapshot-script';

/**
 * The one reader of the customer cache (SPEC §1.1): one user's snapshot (the health script, one
 * round trip) or any keys a refresh plan names (one pipeline), and whole batches for jobs, search
 * and metrics (`BatchCacheReader`). The domain names the keys and assembles the snapshot
 * (`domain/customer-snapshot.ts`); this only reads.
 */

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

const isWrongType = (error: Error | null | undefined) => !!error && /WRONGTYPE/.test(error.message);

/**
 * GET + TTL of each key, pipelined: one round trip. A key holding another Redis type answers GET
 * with WRONGTYPE: it exists, with no string value, which the customer domain reads as absent (and
 * the raw panel shows as existing).
 */
async function readKeys(redis: Redis, names: readonly string[]): Promise<Map<string, RawKey>> {
  const pipeline = redis.pipeline();
  for (const key of names) pipeline.get(key).ttl(key);
  const replies = (await pipeline.exec()) ?? [];
  const read = new Map<string, RawKey>();
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

/**
 * The snapshot of `request`'s keys (`names`, as `customerSnapshotKeys` named them), and the raw
 * panel's list, from readings that hold every one of them.
 */
function assemble(
  request: CustomerKeyRequest,
  names: CustomerSnapshotKeys,
  read: ReadonlyMap<string, RawKey>,
): ReadSnapshot {
  const { current, legacy } = snapshotKeyNames(names);
  const snapshot = assembleSnapshot(
    request,
    names,
    (key) => read.get(key),
    (key) => read.get(key)?.exists === true,
  );
  const keysRead = [...current, ...legacy]
    .map((key) => read.get(key))
    .filter((entry): entry is RawKey => entry !== undefined)
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
  const { current, legacy } = snapshotKeyNames(names);
  return assemble(request, names, await readKeys(redis, [...current, ...legacy]));
}

/** Whether anything is cached under the user's mapping key (a user Clerk no longer has). */
export async function hasMapping(redis: Redis, keys: Keys, userId: string): Promise<boolean> {
  return (await redis.exists(keys.user(userId))) > 0;
}

/** The raw value of an email's mapping key (the customer id it files the address under). */
export function readEmailMapping(redis: Redis, keys: Keys, email: string): Promise<string | null> {
  return redis.get(keys.email(email));
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
  const read = new Map<string, RawKey>();
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
    const { current, legacy } = snapshotKeyNames(names);
    const missing = [...current, ...legacy, ...(customerKey ? [customerKey] : [])].filter(
      (key) => !read.has(key),
    );
    if (missing.length === 0 || round === MAX_FALLBACK_READS) return assemble(request, names, read);
    for (const [key, entry] of await readKeys(redis, missing)) read.set(key, entry);
  }
}

/**
 * GET + TTL of many keys (EXISTS for legacy ones) in a read-only script: `MGET` cannot give TTLs,
 * and one pipelined TTL per key costs the client more than Redis. Keys go in chunks, so no single
 * script holds Redis for long.
 */
const READ_SCRIPT = `
local out = {}
local current = tonumber(ARGV[1])
for i = 1, #KEYS do
  if i <= current then
    out[#out + 1] = redis.call('GET', KEYS[i])
    out[#out + 1] = redis.call('TTL', KEYS[i])
  else
    out[#out + 1] = redis.call('EXISTS', KEYS[i])
  end
end
return out`;

const KEYS_PER_CALL = 400;

/**
 * The customer cache of a whole batch of users, read in the same stages as the single-user read
 * (mapping → customer id → record → email and subscriptions), but each stage is one round trip of
 * script calls for everyone.
 */
export class BatchCacheReader {
  private sha: string | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private async script(): Promise<string> {
    this.sha ??= (await this.redis.script('LOAD', READ_SCRIPT)) as string;
    return this.sha;
  }

  /** GET+TTL of `current`, EXISTS of `legacy`: one pipelined round trip of script calls. */
  async read(
    current: readonly string[],
    legacy: readonly string[] = [],
  ): Promise<{ values: Map<string, KeyReading>; legacyPresent: Set<string> }> {
    try {
      return await this.readWith(await this.script(), current, legacy);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      // Redis restarted and forgot the script: load it again rather than fail until we restart.
      this.sha = null;
      return this.readWith(await this.script(), current, legacy);
    }
  }

  private async readWith(
    sha: string,
    current: readonly string[],
    legacy: readonly string[],
  ): Promise<{ values: Map<string, KeyReading>; legacyPresent: Set<string> }> {
    const pipeline = this.redis.pipeline();
    const chunks: Array<{ current: string[]; legacy: string[] }> = [];
    const uniqueCurrent = [...new Set(current)];
    const uniqueLegacy = [...new Set(legacy)];
    for (let i = 0; i < uniqueCurrent.length; i += KEYS_PER_CALL)
      chunks.push({ current: uniqueCurrent.slice(i, i + KEYS_PER_CALL), legacy: [] });
    for (let i = 0; i < uniqueLegacy.length; i += KEYS_PER_CALL * 2)
      chunks.push({ current: [], legacy: uniqueLegacy.slice(i, i + KEYS_PER_CALL * 2) });
    for (const chunk of chunks) {
      const all = [...chunk.current, ...chunk.legacy];
      pipeline.evalsha(sha, all.length, ...all, String(chunk.current.length));
    }
    const replies = chunks.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const values = new Map<string, KeyReading>();
    const legacyPresent = new Set<string>();
    chunks.forEach((chunk, index) => {
      const [error, reply] = replies[index] ?? [new Error('no reply')];
      if (error) throw error;
      const out = reply as Array<string | number | null>;
      chunk.current.forEach((key, k) => {
        values.set(key, { raw: (out[k * 2] as string | null) ?? null, ttl: Number(out[k * 2 + 1]) });
      });
      const offset = chunk.current.length * 2;
      chunk.legacy.forEach((key, k) => {
        if (Number(out[offset + k]) === 1) legacyPresent.add(key);
      });
    });
    return { values, legacyPresent };
  }

  private snapshots(
    requests: readonly CustomerKeyRequest[],
    values: Map<string, KeyReading>,
    legacyPresent: Set<string>,
  ): Map<string, CustomerCacheSnapshot> {
    return new Map(
      requests.map((request) => [
        request.userId,
        assembleSnapshot(
          request,
          customerSnapshotKeys(this.keys, request),
          (key) => values.get(key),
          (key) => legacyPresent.has(key),
        ),
      ]),
    );
  }

  /** Snapshots for the given requests in one round trip: what `readCustomerKeys` does for one user. */
  async readRequests(requests: readonly CustomerKeyRequest[]): Promise<Map<string, CustomerCacheSnapshot>> {
    const names = requests.map((request) => snapshotKeyNames(customerSnapshotKeys(this.keys, request)));
    const { values, legacyPresent } = await this.read(
      names.flatMap((name) => name.current),
      names.flatMap((name) => name.legacy),
    );
    return this.snapshots(requests, values, legacyPresent);
  }

  /**
   * The health snapshot of every user, staged like `readCustomerSnapshot` (mapping → record →
   * email, subscriptions, legacy keys), three round trips for the whole batch; each stage reads
   * only the keys the previous one revealed.
   */
  async readHealthSnapshots(userIds: readonly string[]): Promise<Map<string, CustomerCacheSnapshot>> {
    const values = new Map<string, KeyReading>();
    const stage = async (keys: string[], legacy: string[] = []) => {
      const read = await this.read(
        keys.filter((key) => !values.has(key)),
        legacy,
      );
      for (const [key, value] of read.values) values.set(key, value);
      return read.legacyPresent;
    };
    const raw = (key: string | null) => (key === null ? undefined : values.get(key)?.raw);
    await stage(userIds.map((userId) => this.keys.user(userId)));
    const withCustomer = userIds.map((userId) =>
      healthSnapshotRequest(userId, { mapping: raw(this.keys.user(userId)) }),
    );
    await stage(
      withCustomer.flatMap((request) => (request.customerId ? [this.keys.customer(request.customerId)] : [])),
    );
    const requests = withCustomer.map((request) =>
      healthSnapshotRequest(request.userId, {
        mapping: raw(this.keys.user(request.userId)),
        customer: request.customerId ? raw(this.keys.customer(request.customerId)) : undefined,
      }),
    );
    const names = requests.map((request) => snapshotKeyNames(customerSnapshotKeys(this.keys, request)));
    const legacyPresent = await stage(
      names.flatMap((name) => name.current),
      names.flatMap((name) => name.legacy),
    );
    return this.snapshots(requests, values, legacyPresent);
  }
}
