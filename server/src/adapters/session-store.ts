import type { Redis } from 'ioredis';
import { type KeyState, keyStateWithoutTtl, type SessionSnapshot } from '../domain/session-snapshot';
import type { Keys } from '../keys';

/**
 * The one reader of checkout-session records (SPEC §1.2): one session with TTLs for the session
 * page and every repair, or a batch without them for sweeps, stats and metrics.
 */

/**
 * The three keys in one pipelined round trip (GET + TTL each). A key holding another Redis type
 * answers GET with WRONGTYPE: it exists (TTL says so) with no string value, which the domain
 * reads as malformed.
 */
export async function readSessionSnapshot(
  redis: Redis,
  keys: Keys,
  sessionId: string,
): Promise<SessionSnapshot> {
  const names = [keys.webhook(sessionId), keys.session(sessionId), keys.prompt(sessionId)] as const;
  const pipeline = redis.pipeline();
  for (const key of names) pipeline.get(key).ttl(key);
  const replies = (await pipeline.exec()) ?? [];
  const states = names.map((key, index): KeyState => {
    const [getError, value] = replies[index * 2] ?? [null, null];
    const [ttlError, ttl] = replies[index * 2 + 1] ?? [null, -2];
    if (ttlError) throw ttlError;
    if (getError && !/WRONGTYPE/.test(getError.message)) throw getError;
    const seconds = Number(ttl);
    return {
      key,
      exists: seconds !== -2,
      ttl: seconds,
      raw: getError ? null : ((value as string | null) ?? null),
    };
  }) as [KeyState, KeyState, KeyState];
  return { sessionId, webhook: states[0], session: states[1], prompt: states[2] };
}

/**
 * Many sessions' keys in one pipelined round trip of three MGETs (the sweep's batches). TTLs are
 * not read: diagnosis does not need them, and every repair re-reads its session with
 * `readSessionSnapshot` before writing.
 */
export async function readSessionSnapshots(
  redis: Redis,
  keys: Keys,
  sessionIds: readonly string[],
): Promise<SessionSnapshot[]> {
  if (sessionIds.length === 0) return [];
  const names = {
    webhook: sessionIds.map((id) => keys.webhook(id)),
    session: sessionIds.map((id) => keys.session(id)),
    prompt: sessionIds.map((id) => keys.prompt(id)),
  };
  const replies =
    (await redis.pipeline().mget(names.webhook).mget(names.session).mget(names.prompt).exec()) ?? [];
  const [webhooks, sessions, prompts] = replies.map(([error, values]) => {
    if (error) throw error;
    return values as (string | null)[];
  }) as [(string | null)[], (string | null)[], (string | null)[]];
  const state = keyStateWithoutTtl;
  return sessionIds.map((sessionId, index) => ({
    sessionId,
    webhook: state(names.webhook[index] as string, webhooks[index]),
    session: state(names.session[index] as string, sessions[index]),
    prompt: state(names.prompt[index] as string, prompts[index]),
  }));
}

/** Whether Redis holds any of the session's keys. */
export async function sessionExists(redis: Redis, keys: Keys, sessionId: string): Promise<boolean> {
  return (await redis.exists(keys.session(sessionId), keys.prompt(sessionId), keys.webhook(sessionId))) > 0;
}
