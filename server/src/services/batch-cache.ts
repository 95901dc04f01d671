import type { Redis } from 'ioredis';
import type {
  CachedKey,
  CustomerCacheSnapshot,
  CustomerKeyRequest,
  CustomerSnapshotKeys,
} from '../domain/customer-snapshot';
import { customerSnapshotKeys, healthSnapshotRequest } from '../domain/customer-snapshot';
import type { Keys } from '../keys';

/**
 * The customer cache of a whole batch of users, read in the same stages as the single-user view
 * (mapping → customer id → record → email and subscriptions; see `customer-snapshot.ts`), but
 * each stage is one round trip for everyone: GET + TTL of many keys in a read-only script
 * (`MGET` cannot give TTLs, and one pipelined TTL per key costs the client more than Redis).
 * Keys go in chunks, so no single script holds Redis for long.
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

/** One key read: value and TTL (current keys) or existence (legacy keys). */
export interface KeyReading {
  raw: string | null;
  ttl: number;
}

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

  /**
   * GET+TTL of `current`, EXISTS of `legacy`: one pipelined round trip of script calls. Pass a
   * connection to read on it (inside a WATCH) instead of the shared client.
   */
  async read(
    current: readonly string[],
    legacy: readonly string[] = [],
    connection: Redis = this.redis,
  ): Promise<{ values: Map<string, KeyReading>; legacyPresent: Set<string> }> {
    try {
      return await this.readWith(await this.script(), current, legacy, connection);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      // Redis restarted and forgot the script: load it again rather than fail until we restart.
      this.sha = null;
      return this.readWith(await this.script(), current, legacy, connection);
    }
  }

  private async readWith(
    sha: string,
    current: readonly string[],
    legacy: readonly string[],
    connection: Redis,
  ): Promise<{ values: Map<string, KeyReading>; legacyPresent: Set<string> }> {
    const pipeline = connection.pipeline();
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

  /** Snapshots for the given requests in one round trip: what `readCustomerKeys` does for one user. */
  async readRequests(requests: readonly CustomerKeyRequest[]): Promise<Map<string, CustomerCacheSnapshot>> {
    const named = requests.map((request) => ({ request, names: customerSnapshotKeys(this.keys, request) }));
    const current: string[] = [];
    const legacy: string[] = [];
    for (const { names } of named) {
      current.push(...currentKeys(names));
      legacy.push(...names.legacy);
    }
    const { values, legacyPresent } = await this.read(current, legacy);
    return new Map(
      named.map(({ request, names }) => [
        request.userId,
        assemble(request.userId, names, values, legacyPresent),
      ]),
    );
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
    const full = withCustomer.map((request) => {
      const customer = request.customerId ? raw(this.keys.customer(request.customerId)) : undefined;
      return {
        request: healthSnapshotRequest(request.userId, {
          mapping: raw(this.keys.user(request.userId)),
          customer,
        }),
      };
    });
    const named = full.map(({ request }) => ({ request, names: customerSnapshotKeys(this.keys, request) }));
    const legacyPresent = await stage(
      named.flatMap(({ names }) => currentKeys(names)),
      named.flatMap(({ names }) => names.legacy),
    );
    return new Map(
      named.map(({ request, names }) => [
        request.userId,
        assemble(request.userId, names, values, legacyPresent),
      ]),
    );
  }
}

function currentKeys(names: CustomerSnapshotKeys): string[] {
  return [
    names.mapping,
    ...[names.customer, names.emailMapping, names.previousEmailMapping].filter(
      (key): key is string => key !== null,
    ),
    ...names.subscriptions.map((entry) => entry.key),
  ];
}

function assemble(
  userId: string,
  names: CustomerSnapshotKeys,
  values: Map<string, KeyReading>,
  legacyPresent: Set<string>,
): CustomerCacheSnapshot {
  const reading = (key: string | null): CachedKey | null => {
    if (key === null) return null;
    const value = values.get(key);
    return { key, raw: value?.raw ?? null, ttl: value?.ttl ?? -2 };
  };
  return {
    userId,
    mapping: reading(names.mapping),
    customer: reading(names.customer),
    emailMapping: reading(names.emailMapping),
    previousEmailMapping: reading(names.previousEmailMapping),
    subscriptions: names.subscriptions.map(({ id, key }) => ({ id, ...(reading(key) as CachedKey) })),
    legacyKeys: names.legacy.filter((key) => legacyPresent.has(key)),
  };
}
