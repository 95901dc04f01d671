import { isErrorLevelCustomerCode, searchWords } from '@cache-doctor/shared';
import { clerkFullName } from '../domain/customer-record';
import type { ClerkUserFacts, StripeCustomerFacts } from '../domain/upstream-facts';
import type { JobStore } from '../jobs/store';
import { ATTENTION_KEYS } from '../keys';
import type { Services } from './container';
import type { Person } from './people';

/**
 * "Needs attention" (SPEC §6.2 `GET /api/attention`): what the latest sweep found broken, person by
 * person, and since when. Recorded once per finished sweep from its results and collected facts,
 * in one MULTI, so a reader sees one sweep or the next, never a mix.
 */

export interface AttentionProblem {
  code: string;
  severity: 'error';
  /** ISO: the first sweep that found this problem on this user, while it has lasted since */
  firstSeen: string;
  /** ISO: the latest sweep that found it */
  lastSeen: string;
}

export interface AttentionUser {
  userId: string;
  email: string | null;
  name: string | null;
  problems: AttentionProblem[];
}

interface AttentionSnapshot {
  sweptAt: string;
  jobId: string;
  checked: number;
  counts: Record<string, number>;
  /** sorted by the earliest first-seen, then user id */
  users: AttentionUser[];
}

export interface TrendPoint {
  at: string;
  checked: number;
  counts: Record<string, number>;
}

/** How long the problems trend is kept: the longest range the chart offers. */
const HISTORY_MS = 30 * 86_400_000;
const pairKey = (userId: string, code: string) => `${userId} ${code}`;
/** ISO times sort as text (Math.min would not compare strings). */
const earliest = (user: AttentionUser) =>
  user.problems.map((problem) => problem.firstSeen).sort()[0] ?? '\uffff';

const personOfClerk = (facts: ClerkUserFacts): Person => ({
  email: facts.primaryEmail,
  name: clerkFullName(facts) || null,
});

/** Who the sweep's flagged users are: Clerk's facts, else the Stripe customer linked to them. */
async function peopleOf(store: JobStore, jobId: string, userIds: string[]): Promise<Map<string, Person>> {
  const people = new Map<string, Person>();
  if (userIds.length === 0) return people;
  const { redis } = store;
  const [clerk, linked] = await Promise.all([
    redis.hmget(store.key(jobId, 'clerk'), ...userIds),
    redis.hmget(store.key(jobId, 'stripe-user'), ...userIds),
  ]);
  const customerIds = linked.filter((id): id is string => id !== null);
  const customers =
    customerIds.length > 0 ? await redis.hmget(store.key(jobId, 'stripe'), ...customerIds) : [];
  const byCustomer = new Map(customerIds.map((id, index) => [id, customers[index] ?? null]));
  userIds.forEach((userId, index) => {
    const clerkRaw = clerk[index];
    const customerRaw = byCustomer.get(linked[index] ?? '');
    const customer = customerRaw ? (JSON.parse(customerRaw) as StripeCustomerFacts) : null;
    people.set(
      userId,
      clerkRaw
        ? personOfClerk(JSON.parse(clerkRaw) as ClerkUserFacts)
        : { email: customer?.email ?? null, name: customer?.name ?? null },
    );
  });
  return people;
}

/** Records a finished sweep: the attention list, first-seen dates, the trend point, people search. */
export async function recordSweepAttention(
  services: Services,
  store: JobStore,
  jobId: string,
): Promise<void> {
  const { ownRedis: redis, keys } = services;
  const sweptAt = new Date().toISOString();
  const flagged: Array<{ userId: string; codes: string[] }> = [];
  let checked = 0;
  for await (const page of store.results(jobId)) {
    for (const result of page) {
      if (result.outcome !== 'failed') checked += 1;
      const codes = result.problems.filter(isErrorLevelCustomerCode);
      if (codes.length > 0) flagged.push({ userId: result.userId, codes });
    }
  }
  const previous = await redis.hgetall(keys.own(ATTENTION_KEYS.firstSeen));
  const people = await peopleOf(
    store,
    jobId,
    flagged.map((user) => user.userId),
  );
  const firstSeen: Record<string, string> = {};
  const counts: Record<string, number> = {};
  const users: AttentionUser[] = flagged.map(({ userId, codes }) => {
    const person = people.get(userId) ?? { email: null, name: null };
    const problems = codes.map((code): AttentionProblem => {
      const pair = pairKey(userId, code);
      firstSeen[pair] = previous[pair] ?? sweptAt;
      counts[code] = (counts[code] ?? 0) + 1;
      return { code, severity: 'error', firstSeen: firstSeen[pair], lastSeen: sweptAt };
    });
    return { userId, ...person, problems };
  });
  users.sort((a, b) => earliest(a).localeCompare(earliest(b)) || a.userId.localeCompare(b.userId));
  const snapshot: AttentionSnapshot = { sweptAt, jobId, checked, counts, users };
  const point: TrendPoint = { at: sweptAt, checked, counts };
  const now = Date.parse(sweptAt);
  const tx = redis
    .multi()
    .set(keys.own(ATTENTION_KEYS.latest), JSON.stringify(snapshot))
    .del(keys.own(ATTENTION_KEYS.firstSeen), keys.own(ATTENTION_KEYS.refreshed));
  if (Object.keys(firstSeen).length > 0) tx.hset(keys.own(ATTENTION_KEYS.firstSeen), firstSeen);
  await tx
    .zadd(keys.own(ATTENTION_KEYS.history), now, JSON.stringify(point))
    .zremrangebyscore(keys.own(ATTENTION_KEYS.history), '-inf', `(${now - HISTORY_MS}`)
    .exec();
  await indexPeople(services, store, jobId);
}

/**
 * Rebuilds people search from the sweep's Clerk users: each folded word of a name or email is a
 * member `word\0userId` of a sorted set searched by prefix (ZRANGEBYLEX). Built aside and renamed
 * over the old index, so a search never sees half of it.
 */
async function indexPeople(services: Services, store: JobStore, jobId: string): Promise<void> {
  const { ownRedis: redis, keys } = services;
  const words = keys.own(ATTENTION_KEYS.peopleWordsNext);
  const rows = keys.own(ATTENTION_KEYS.peopleNext);
  await redis.del(words, rows);
  let cursor = '0';
  let any = false;
  do {
    const [next, flat] = await redis.hscan(store.key(jobId, 'clerk'), cursor, 'COUNT', 1000);
    cursor = next;
    if (flat.length === 0) continue;
    const tx = redis.multi();
    const members: string[] = [];
    const people: Record<string, string> = {};
    for (let i = 1; i < flat.length; i += 2) {
      const facts = JSON.parse(flat[i] as string) as ClerkUserFacts;
      const person = personOfClerk(facts);
      people[facts.id] = JSON.stringify(person);
      const text = [person.name ?? '', person.email ?? ''].join(' ');
      for (const word of new Set(searchWords(text))) members.push('0', `${word}\u0000${facts.id}`);
    }
    if (members.length > 0) tx.zadd(words, ...members);
    tx.hset(rows, people);
    await tx.exec();
    any = true;
  } while (cursor !== '0');
  if (!any) {
    await redis.del(keys.own(ATTENTION_KEYS.peopleWords), keys.own(ATTENTION_KEYS.people));
    return;
  }
  await redis
    .multi()
    .rename(words, keys.own(ATTENTION_KEYS.peopleWords))
    .rename(rows, keys.own(ATTENTION_KEYS.people))
    .exec();
}

/** A bulk refresh rewrote these users from Stripe and Clerk: they leave the list until a sweep finds them again. */
export async function recordRefreshed(services: Services, store: JobStore, jobId: string): Promise<void> {
  const at = new Date().toISOString();
  const refreshed: Record<string, string> = {};
  for await (const page of store.results(jobId)) {
    for (const result of page) if (result.outcome === 'refreshed') refreshed[result.userId] = at;
  }
  if (Object.keys(refreshed).length === 0) return;
  await services.ownRedis.hset(services.keys.own(ATTENTION_KEYS.refreshed), refreshed);
}

export interface AttentionQuery {
  problem?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** `GET /api/attention`: a page of the latest sweep's list; counts cover every listed user. */
export async function readAttention(services: Services, query: AttentionQuery) {
  const { ownRedis: redis, keys } = services;
  const [raw, refreshed] = await Promise.all([
    redis.get(keys.own(ATTENTION_KEYS.latest)),
    redis.hgetall(keys.own(ATTENTION_KEYS.refreshed)),
  ]);
  if (!raw)
    return { sweptAt: null, jobId: null, checked: 0, counts: {}, refreshedSince: 0, users: [], cursor: null };
  const snapshot = JSON.parse(raw) as AttentionSnapshot;
  const listed = snapshot.users.filter((user) => !(user.userId in refreshed));
  const counts: Record<string, number> = {};
  for (const user of listed)
    for (const problem of user.problems) counts[problem.code] = (counts[problem.code] ?? 0) + 1;
  const matching = query.problem
    ? listed.filter((user) => user.problems.some((problem) => problem.code === query.problem))
    : listed;
  const start = query.cursor ? Number(query.cursor) : 0;
  const users = matching.slice(start, start + query.limit);
  const end = start + users.length;
  return {
    sweptAt: snapshot.sweptAt,
    jobId: snapshot.jobId,
    checked: snapshot.checked,
    counts,
    /** users a bulk refresh rewrote since the sweep, left out until the next sweep checks them */
    refreshedSince: snapshot.users.length - listed.length,
    total: matching.length,
    users,
    cursor: end < matching.length ? String(end) : null,
  };
}

/** `GET /api/attention/trend`: users per error-level problem at each sweep of the range. */
export async function readTrend(services: Services, rangeMs: number): Promise<{ points: TrendPoint[] }> {
  const since = Date.now() - rangeMs;
  const raw = await services.ownRedis.zrangebyscore(services.keys.own(ATTENTION_KEYS.history), since, '+inf');
  return { points: raw.map((entry) => JSON.parse(entry) as TrendPoint) };
}

/** People whose every query word starts one of their name or email words (accents and case ignored). */
export async function findPeople(
  services: Services,
  query: string,
  limit: number,
): Promise<Array<{ userId: string } & Person>> {
  const { ownRedis: redis, keys } = services;
  const words = [...new Set(searchWords(query))];
  if (words.length === 0) return [];
  const matches = await Promise.all(
    words.map(async (word) => {
      const members = await redis.zrangebylex(
        keys.own(ATTENTION_KEYS.peopleWords),
        `[${word}`,
        // every member that starts with the word: Redis compares bytes, and no UTF-8 byte is 0xff
        Buffer.concat([Buffer.from(`[${word}`), Buffer.from([0xff])]),
        'LIMIT',
        0,
        1000,
      );
      return new Set(members.map((member) => member.slice(member.indexOf('\u0000') + 1)));
    }),
  );
  const [first, ...rest] = matches;
  const userIds = [...(first ?? [])].filter((id) => rest.every((set) => set.has(id))).slice(0, limit);
  if (userIds.length === 0) return [];
  const rows = await redis.hmget(keys.own(ATTENTION_KEYS.people), ...userIds);
  return userIds.map((userId, index) => ({
    userId,
    ...((rows[index] ? JSON.parse(rows[index] as string) : { email: null, name: null }) as Person),
  }));
}
