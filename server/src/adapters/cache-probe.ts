import type { Redis } from 'ioredis';
import { aroundPlaceholder, type Keys } from '../keys';

/**
 * The probe (SPEC §5): when the app reports nothing, each sample reads the two-step lookup
 * (mapping → customer id → record) of up to PROBE_USERS users, taken in turn from a rolling SCAN
 * of the mapping keys, so successive samples walk the whole cache. One script call per
 * PROBE_BATCH users does both steps inside Redis: one round trip per batch.
 */

export const PROBE_BATCH = 100;
const SCAN_COUNT = 500;
/** SCAN calls one sample may make looking for mapping keys (a keyspace of mostly other keys). */
const MAX_SCANS_PER_SAMPLE = 20;

/**
 * KEYS: mapping keys. ARGV: the record key's text before and after the customer id. Returns
 * {looked up, found}: a mapping that resolves to a JSON record of that customer is found (the
 * app's lookup succeeds); a mapping gone meanwhile is not counted.
 */
const TWO_STEP_SCRIPT = `
local looked, found = 0, 0
for _, key in ipairs(KEYS) do
  local id = redis.call('GET', key)
  if id then
    looked = looked + 1
    if string.sub(id, 1, 1) == '"' then id = string.sub(id, 2, -2) end
    local raw = redis.call('GET', ARGV[1] .. id .. ARGV[2])
    if raw then
      local ok, record = pcall(cjson.decode, raw)
      if ok and type(record) == 'table' and record.stripeCustomerId == id then found = found + 1 end
    end
  end
end
return {looked, found}
`;

export interface ProbeResult {
  /** users whose lookup was read */
  sampled: number;
  /** of those, lookups that found a valid record */
  found: number;
  /** ms each batch's round trip took (the two-step read of its users) */
  batchMs: number[];
}

export class CacheProbe {
  private cursor = '0';
  private readonly recordKeyAround: [string, string];

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly users: number,
  ) {
    this.recordKeyAround = aroundPlaceholder(keys.customer);
  }

  /** The next slice of mapping keys; fewer than asked when the whole keyspace has fewer. */
  private async nextMappingKeys(): Promise<string[]> {
    const found = new Set<string>();
    const pattern = this.keys.scanPattern('user');
    let wrapped = false;
    for (let scans = 0; scans < MAX_SCANS_PER_SAMPLE && found.size < this.users; scans += 1) {
      const [next, keys] = await this.redis.scan(this.cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      this.cursor = next;
      for (const key of keys) if (found.size < this.users) found.add(key);
      // the end of a pass: go on from the start once, to fill the sample, never round twice
      if (next === '0') {
        if (wrapped) break;
        wrapped = true;
      }
    }
    return [...found];
  }

  async sample(): Promise<ProbeResult> {
    const result: ProbeResult = { sampled: 0, found: 0, batchMs: [] };
    if (this.users <= 0) return result;
    const keys = await this.nextMappingKeys();
    const [before, after] = this.recordKeyAround;
    for (let start = 0; start < keys.length; start += PROBE_BATCH) {
      const batch = keys.slice(start, start + PROBE_BATCH);
      const started = performance.now();
      const [looked, found] = (await this.redis.eval(
        TWO_STEP_SCRIPT,
        batch.length,
        ...batch,
        before,
        after,
      )) as [number, number];
      result.batchMs.push(performance.now() - started);
      result.sampled += looked;
      result.found += found;
    }
    return result;
  }
}
