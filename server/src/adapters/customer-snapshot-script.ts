import type { Redis } from 'ioredis';
import { aroundPlaceholder, type Keys } from '../keys';

/**
 * The customer health read in ONE round trip (SPEC §4: health from Redis alone in < 10 ms p95).
 * A Lua script (EVALSHA via ioredis `defineCommand`) does what the staged read did in three:
 * `user:` mapping → `customer:` record → its `email:` mapping and `subscription:` keys, plus the
 * legacy `stripe:` keys of the same ids, each with its TTL. It only reads.
 *
 * Key names are built inside the script from the configured patterns (passed in as ARGV as the
 * text before and after the placeholder, taken from `Keys` itself), exactly as keys.ts fills them;
 * emails are trimmed and lowercased like `normalizeEmail` (ASCII only — Lua knows no Unicode case).
 * The caller checks every name the domain asks for against what the script returned and reads any
 * it missed (see `readCustomerSnapshot`), so the domain stays the one judge of what a value means.
 *
 * The script touches keys it does not declare, which Redis Cluster forbids (the keys may live on
 * other shards). Cache Doctor runs against a single Redis, where this is allowed.
 */

/** One key as the script read it. */
export interface ScriptReading {
  key: string;
  /** the string value; null when the key is absent or holds another Redis type */
  raw: string | null;
  /** Redis TTL semantics: seconds left, -1 no expiry, -2 absent */
  ttl: number;
  /** the key's Redis type when it is not a string (GET answered WRONGTYPE); null otherwise */
  wrongType: string | null;
}

export const CUSTOMER_SNAPSHOT_LUA = `
local userId = ARGV[1]
local function name(index, value) return ARGV[index] .. value .. ARGV[index + 1] end
local function email(value) return string.lower(string.match(value, '^%s*(.-)%s*$')) end

local out = {}
local function read(key)
  -- pcall: GET on another Redis type is an error reply, reported here instead of aborting
  local value = redis.pcall('GET', key)
  local wrongType = ''
  if type(value) == 'table' then
    wrongType = redis.call('TYPE', key)['ok']
    value = false
  end
  out[#out + 1] = key
  out[#out + 1] = value
  out[#out + 1] = redis.call('TTL', key)
  out[#out + 1] = wrongType
  return value
end

local mapping = read(name(2, userId))
read(name(10, userId))
-- the mapping holds a plain customer id (CUSTOMER_ID_PATTERN, at most 255 characters)
if type(mapping) == 'string' and #mapping <= 255 and string.match(mapping, '^cus_%w+$') then
  local record = read(name(4, mapping))
  read(name(12, mapping))
  local ok, value = false, nil
  if type(record) == 'string' then ok, value = pcall(cjson.decode, record) end
  if ok and type(value) == 'table' then
    if type(value.email) == 'string' and value.email ~= '' then
      read(name(6, email(value.email)))
      read(name(14, email(value.email)))
    end
    if type(value.subscriptions) == 'table' then
      local seen = {}
      for _, id in ipairs(value.subscriptions) do
        if type(id) == 'string' and id ~= '' and not seen[id] then
          seen[id] = true
          read(name(8, id))
          read(name(16, id))
        end
      end
    end
  end
end
return out
`;

const COMMAND = 'cacheDoctorCustomerSnapshot';

type ScriptClient = Redis & { [COMMAND](...args: string[]): Promise<unknown[]> };

const defined = new WeakSet<Redis>();

function scriptClient(redis: Redis): ScriptClient {
  if (!defined.has(redis)) {
    redis.defineCommand(COMMAND, { numberOfKeys: 0, lua: CUSTOMER_SNAPSHOT_LUA });
    defined.add(redis);
  }
  return redis as ScriptClient;
}

const patternArgsOf = new WeakMap<Keys, string[]>();

/**
 * ARGV 2..17: prefix/suffix of user, customer, email, subscription, then their legacy keys.
 * Worked out once per `Keys` (the patterns never change), not on every read.
 */
function patternArgs(keys: Keys): string[] {
  let args = patternArgsOf.get(keys);
  if (!args) {
    args = [
      keys.user,
      keys.customer,
      keys.email,
      keys.subscription,
      keys.legacy.user,
      keys.legacy.customer,
      keys.legacy.email,
      keys.legacy.subscription,
    ].flatMap(aroundPlaceholder);
    patternArgsOf.set(keys, args);
  }
  return args;
}

/** Every key the script read for `userId`, by name, in one EVALSHA. */
export async function readCustomerKeysByScript(
  redis: Redis,
  keys: Keys,
  userId: string,
): Promise<Map<string, ScriptReading>> {
  const reply = await scriptClient(redis)[COMMAND](userId, ...patternArgs(keys));
  const read = new Map<string, ScriptReading>();
  for (let index = 0; index + 3 < reply.length; index += 4) {
    const key = String(reply[index]);
    const raw = reply[index + 1];
    const wrongType = reply[index + 3];
    read.set(key, {
      key,
      raw: typeof raw === 'string' ? raw : null,
      ttl: Number(reply[index + 2]),
      wrongType: typeof wrongType === 'string' && wrongType !== '' ? wrongType : null,
    });
  }
  return read;
}
