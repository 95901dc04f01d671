import type { SessionCode, SessionLayout } from '@cache-doctor/shared';
import type { Redis } from 'ioredis';
import { DEFAULT_KEY_PATTERNS } from '../config';
import { createKeys, type Keys } from '../keys';
import { emptyDataset, type SandboxDataset, type SeedRedisWrite } from './dataset';
import { checkoutCompletedEventWire, checkoutSessionWire } from './seed-checkout-wire';
import type { SetWrite } from './seed-customers';
import { TOOLS } from './seed-prompts';
import { ids, Random } from './seed-random';
import {
  latestWebhookMs,
  newRotation,
  pickVideoCount,
  SESSION_PLAN,
  writeSessionCache,
} from './seed-sessions';
import { fullName, pickName } from './seed-text';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './seed-time';

/**
 * Sessions in bulk for tests and benchmarks (Redis records alone, or completed checkouts for the
 * session sweep), and the batched writer that puts any seed's Redis records in place.
 */

export interface SessionCacheLoadOptions {
  /** checkout sessions to write */
  sessions: number;
  /** PRNG seed (default 1) */
  seed?: number;
  /** "now" in ms (default `Date.now()`) */
  now?: number;
  keys?: Keys;
  livemode?: boolean;
}

/**
 * Only the Redis side of many checkout sessions, for load tests: `buildSeed` stops at 100,000
 * users, who buy fewer sessions than that, while the bench wants 100,000 prompt keys. Same
 * layouts, record shapes, prompt lengths and share of planted problems as the sessions of
 * `buildSeed` (minus the ones Redis never heard of); nothing upstream, nothing listed as planted.
 */
export function buildSessionCacheLoad(options: SessionCacheLoadOptions): SeedRedisWrite[] {
  const r = new Random(options.seed ?? 1);
  const nowMs = options.now ?? Date.now();
  const keys = options.keys ?? createKeys(DEFAULT_KEY_PATTERNS, 'cache-doctor:');
  const livemode = options.livemode ?? false;
  const writes: SeedRedisWrite[] = [];
  const set: SetWrite = (key, value, ttlSeconds) => writes.push({ key, value, ttlSeconds });
  const plan: (readonly [SessionCode, SessionLayout])[] = [];
  for (const [code, layout, rate] of SESSION_PLAN) {
    if (layout === 'none') continue;
    for (let k = Math.max(1, Math.round(options.sessions * rate)); k > 0; k--) plan.push([code, layout]);
  }
  plan.length = Math.min(plan.length, Math.floor(options.sessions / 2));
  while (plan.length < options.sessions) plan.push(['OK', r.chance(0.4) ? 'three-key' : 'session-only']);
  r.shuffle(plan);
  const rotation = newRotation();
  for (const [code, layout] of plan) {
    const createdMs = nowMs - r.int(25 * MINUTE_MS, 7 * DAY_MS);
    const webhookMs = Math.min(createdMs + r.int(4 * MINUTE_MS, 5 * MINUTE_MS), latestWebhookMs(nowMs));
    const videoCount = pickVideoCount(r);
    const input = {
      sessionId: ids.checkoutSession(r, livemode),
      layout,
      code,
      tool: r.pick(TOOLS),
      videoCount,
      createdMs,
      webhookMs,
      nowMs,
    };
    writeSessionCache(r, keys, set, input, rotation);
  }
  return writes;
}

export interface CheckoutSweepLoadOptions {
  /** completed checkout sessions inside the window, paid and unpaid together */
  completed: number;
  /** of those, paid but never processed (the dropped webhook update, WEBHOOK_MISSING), layouts alternating */
  unprocessed: number;
  /** of those, complete but unpaid (a bank debit still clearing) */
  unpaid: number;
  /** unprocessed-looking sessions a sweep of the window must leave out: half older than it, half still open */
  decoys?: number;
  /** how far back the window reaches, in days (default 7) */
  days?: number;
  seed?: number;
  now?: number;
  keys?: Keys;
}

export interface CheckoutSweepLoad {
  /** checkout sessions and their `checkout.session.completed` events; no customers or users */
  dataset: SandboxDataset;
  redisWrites: SeedRedisWrite[];
  unprocessedIds: string[];
  unpaidIds: string[];
  /** one failed-delivery event per unprocessed session, in `unprocessedIds` order */
  failedEventIds: string[];
}

/**
 * Stripe's checkout sessions and the Redis records beside them, for the session sweep's tests and
 * bench: every completed session in the window is processed (OK, either layout) except the planted
 * unprocessed and unpaid ones, each unprocessed one with its failed webhook delivery.
 */
export function buildCheckoutSweepLoad(options: CheckoutSweepLoadOptions): CheckoutSweepLoad {
  const r = new Random(options.seed ?? 1);
  const nowMs = options.now ?? Date.now();
  const keys = options.keys ?? createKeys(DEFAULT_KEY_PATTERNS, 'cache-doctor:');
  const windowMs = (options.days ?? 7) * DAY_MS;
  const load: CheckoutSweepLoad = {
    dataset: emptyDataset(),
    redisWrites: [],
    unprocessedIds: [],
    unpaidIds: [],
    failedEventIds: [],
  };
  const set: SetWrite = (key, value, ttlSeconds) => load.redisWrites.push({ key, value, ttlSeconds });
  const rotation = newRotation();
  const decoys = options.decoys ?? 0;
  for (let index = 0; index < options.completed + decoys; index++) {
    const decoy = index >= options.completed;
    const unprocessed = index < options.unprocessed || decoy;
    const unpaid = !unprocessed && index < options.unprocessed + options.unpaid;
    const old = decoy && (index - options.completed) % 2 === 0;
    const open = decoy && !old;
    // nothing younger than 25 minutes, so no status is still legitimately on its way
    const createdMs = old
      ? nowMs - windowMs - r.int(HOUR_MS, DAY_MS)
      : nowMs - r.int(25 * MINUTE_MS, windowMs - MINUTE_MS);
    const tool = r.pick(TOOLS);
    const videoCount = r.weighted([
      [1, 80],
      [2, 20],
    ] as const);
    const sessionId = ids.checkoutSession(r, false);
    const name = pickName(r);
    const session = checkoutSessionWire(r, {
      id: sessionId,
      created: Math.floor(createdMs / 1000),
      customer: ids.customer(r),
      email:
        `${[name.firstName, name.lastName].filter(Boolean).join('.')}.${index}@example.com`.toLowerCase(),
      name: fullName(name),
      userId: ids.clerkUser(r),
      amount: tool.pricePerVideo * videoCount,
      status: open ? 'open' : 'complete',
      paymentStatus: unpaid || open ? 'unpaid' : 'paid',
      toolSlug: tool.slug,
      videoCount,
      livemode: false,
    });
    load.dataset.checkoutSessions.push(session);
    if (!open) {
      const completedMs = createdMs + r.int(30_000, 4 * MINUTE_MS);
      const event = checkoutCompletedEventWire(r, session, Math.floor(completedMs / 1000), unprocessed);
      load.dataset.events.push(event);
      if (unprocessed && !decoy) load.failedEventIds.push(event.id);
    }
    if (unprocessed && !decoy) load.unprocessedIds.push(sessionId);
    if (unpaid) load.unpaidIds.push(sessionId);
    const code: SessionCode = unprocessed ? 'WEBHOOK_MISSING' : unpaid ? 'PAYMENT_NOT_COMPLETED' : 'OK';
    const layout: SessionLayout =
      unprocessed || unpaid
        ? index % 2 === 0
          ? 'three-key'
          : 'session-only'
        : r.chance(0.4)
          ? 'three-key'
          : 'session-only';
    const webhookMs = Math.min(createdMs + r.int(4 * MINUTE_MS, 5 * MINUTE_MS), latestWebhookMs(nowMs));
    writeSessionCache(
      r,
      keys,
      set,
      { sessionId, layout, code, tool, videoCount, createdMs, webhookMs, nowMs },
      rotation,
      load.dataset.generationFiles,
    );
  }
  return load;
}

/**
 * One batch of writes, applied inside Redis: `SET key value EX ttl`, or a plain `SET` when the TTL
 * is `0` (a key that never expires). A script per batch instead of one command per key, because
 * the client's per-command cost dominates: 500,000 pipelined SETs take ~10 s through ioredis on
 * two cores, the same writes as ~1,000 scripts ~2 s.
 */
const SET_BATCH_SCRIPT = `
for i = 1, #KEYS do
  local ttl = ARGV[i * 2]
  if ttl == '0' then
    redis.call('SET', KEYS[i], ARGV[i * 2 - 1])
  else
    redis.call('SET', KEYS[i], ARGV[i * 2 - 1], 'EX', ttl)
  end
end
return #KEYS`;

/**
 * Writes the seed as the app would: `SET key value EX ttl`, or a plain `SET` for keys that never
 * expire. Batches of 500 keys, each one script call (atomic per batch), a few in flight at once
 * on the client's pipeline. Safe to call again: every write is a plain overwrite.
 */
export async function writeSeedToRedis(
  redis: Redis,
  writes: readonly SeedRedisWrite[],
  options: { batchSize?: number; inFlight?: number } = {},
): Promise<void> {
  const batchSize = options.batchSize ?? 500;
  const inFlight = options.inFlight ?? 4;
  const sha = (await redis.script('LOAD', SET_BATCH_SCRIPT)) as string;
  let next = 0;
  const worker = async () => {
    while (next < writes.length) {
      const batch = writes.slice(next, next + batchSize);
      next += batchSize;
      const keyArgs: string[] = [];
      const valueArgs: string[] = [];
      for (const write of batch) {
        if (write.ttlSeconds !== null && (!Number.isInteger(write.ttlSeconds) || write.ttlSeconds <= 0)) {
          throw new RangeError(`TTL of ${write.key} must be a positive whole number of seconds or null`);
        }
        keyArgs.push(write.key);
        valueArgs.push(write.value, String(write.ttlSeconds ?? 0));
      }
      await redis.evalsha(sha, keyArgs.length, ...keyArgs, ...valueArgs);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}
