import type { Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { emailKey, mappedCustomerIdOf } from '../domain/customer-owner';
import type { CustomerCacheSnapshot } from '../domain/customer-snapshot';
import type { ClerkUserFacts, StripeCustomerFacts } from '../domain/upstream-facts';
import { CLERK_PAGE_SIZE } from '../services/batch-upstream';
import { splitByCreated } from '../services/created-ranges';
import type { BatchFacts, JobContext } from './batch-task';
import { enqueue, type JobTaskData, taskId } from './job-tasks';
import { type JobRecord, RUN_DATA_TTL_SECONDS } from './store';

/**
 * The collection phase of a sweep or rebuild (SPEC §4: no per-user upstream calls): Clerk's users
 * in offset ranges and Stripe's customers in `created` ranges, each range a task of its own that
 * any worker may run, paged into the job's own keys with a checkpoint after every page. The
 * batches then find every user's facts there.
 */

/** Clerk users per collection part (offset ranges; the last part is open-ended). */
const CLERK_USERS_PER_PART = CLERK_PAGE_SIZE * 10;

/** Clerk: an offset range (the last one reads on until Clerk runs out); Stripe: a `created` range. */
type PartSpec =
  | { kind: 'clerk'; offset: number; last: boolean }
  | { kind: 'stripe'; gte: number; lt: number };

const partName = (spec: PartSpec) =>
  spec.kind === 'clerk'
    ? `clerk_${spec.offset}_${spec.last ? 'last' : 'range'}`
    : `stripe_${spec.gte}_${spec.lt}`;

function parsePart(name: string): PartSpec {
  const [kind, a, b] = name.split('_');
  if (kind === 'clerk') return { kind: 'clerk', offset: Number(a), last: b === 'last' };
  return { kind: 'stripe', gte: Number(a), lt: Number(b) };
}

/** Keeps, per email, the newest customer: `created:id`, compared on Redis so parallel parts agree. */
const NEWEST_EMAIL_SCRIPT = `
for i = 1, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local created = tonumber(ARGV[i + 1])
  if not current or tonumber(string.match(current, '^(%d+):')) < created then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1] .. ':' .. ARGV[i + 2])
  end
end
return 1`;

/** Cuts the job into parts (once; a start run again after a crash finds them) and queues them. */
export async function startCollecting(context: JobContext, queue: Queue, record: JobRecord): Promise<void> {
  const { services, store, upstream } = context;
  const partsKey = store.key(record.id, 'parts');
  let names = JSON.parse((await services.ownRedis.get(partsKey)) ?? 'null') as string[] | null;
  if (!names) {
    // counted first: the page names how many users the job goes through while it still collects
    const users = await upstream.clerkCount();
    await store.transition(record.id, 'running', { phase: 'collecting', total: users });
    // Stripe first: its limit is the tighter one, so its parts should never wait behind Clerk's
    const parts: PartSpec[] = await stripeRanges(context);
    for (let offset = 0; offset === 0 || offset < users; offset += CLERK_USERS_PER_PART) {
      parts.push({ kind: 'clerk', offset, last: offset + CLERK_USERS_PER_PART >= users });
    }
    names = parts.map(partName);
    // stored first: a start task run again after a crash enqueues the same parts (deduplicated by id)
    await services.ownRedis
      .multi()
      .set(partsKey, JSON.stringify(names))
      .hset(store.key(record.id), 'partsTotal', String(names.length))
      .exec();
  }
  await queue.addBulk(
    names.map((part) => {
      const data: JobTaskData = { kind: 'part', jobId: record.id, part };
      return { name: 'part', data, opts: { jobId: taskId(data) } };
    }),
  );
}

/** `created` ranges that split Stripe's customers into parallel parts. */
async function stripeRanges({ upstream }: JobContext): Promise<PartSpec[]> {
  const ranges = await splitByCreated({
    newest: () => upstream.stripeNewest(),
    anyBefore: (before) => upstream.stripeAnyBefore(before),
  });
  return ranges.map((range) => ({ kind: 'stripe', ...range }));
}

const cancelled = async ({ services, store }: JobContext, jobId: string) =>
  (await services.ownRedis.hget(store.key(jobId), 'state')) === 'cancelled';

/** Reads one part's pages into the job's keys; the last part to finish queues the plan step. */
export async function collectPart(
  context: JobContext,
  queue: Queue,
  record: JobRecord,
  name: string,
): Promise<void> {
  if (record.state !== 'running') return;
  const { services, store } = context;
  const { ownRedis: redis } = services;
  const done = store.key(record.id, 'parts-done');
  // A part already done is run again when its worker (or Redis) died before it queued the plan:
  // only that is left to do, or the job would wait for its plan forever.
  if (!(await redis.sismember(done, name)) && !(await collectPages(context, record.id, name))) return;
  const results = await redis.multi().sadd(done, name).scard(done).exec();
  const count = Number(results?.[1]?.[1] ?? 0);
  const partsTotal = Number(await redis.hget(store.key(record.id), 'partsTotal'));
  if (count >= partsTotal) await enqueue(queue, { kind: 'plan', jobId: record.id });
}

/** Pages one part in from its checkpoint; false when the job was cancelled meanwhile. */
async function collectPages(context: JobContext, jobId: string, name: string): Promise<boolean> {
  const { services, store, upstream } = context;
  const { ownRedis: redis } = services;
  const checkpointKey = store.key(jobId, 'part-cursor');
  const spec = parsePart(name);
  if (spec.kind === 'clerk') {
    let offset = Number((await redis.hget(checkpointKey, name)) ?? spec.offset);
    const end = spec.offset + CLERK_USERS_PER_PART;
    for (;;) {
      if (await cancelled(context, jobId)) return false;
      const limit = spec.last ? CLERK_PAGE_SIZE : Math.min(CLERK_PAGE_SIZE, end - offset);
      if (limit <= 0) return true;
      const users = await upstream.clerkPage(offset, limit);
      offset += users.length;
      const tx = redis.multi();
      if (users.length > 0) {
        tx.hset(
          store.key(jobId, 'clerk'),
          Object.fromEntries(users.map((user) => [user.id, JSON.stringify(user)])),
        );
      }
      tx.hset(checkpointKey, name, String(offset));
      tx.expire(store.key(jobId, 'clerk'), RUN_DATA_TTL_SECONDS);
      await tx.exec();
      if (users.length < limit) return true;
    }
  }
  let cursor = (await redis.hget(checkpointKey, name)) || null;
  for (;;) {
    if (await cancelled(context, jobId)) return false;
    const page = await upstream.stripePage({ gte: spec.gte, lt: spec.lt }, cursor);
    cursor = page.last ?? cursor;
    const tx = redis.multi();
    storeCustomers(context, tx, jobId, page.data);
    if (cursor) tx.hset(checkpointKey, name, cursor);
    for (const part of ['stripe', 'stripe-user', 'stripe-email', 'part-cursor']) {
      tx.expire(store.key(jobId, part), RUN_DATA_TTL_SECONDS);
    }
    await tx.exec();
    if (!page.hasMore) return true;
  }
}

function storeCustomers(
  { store }: JobContext,
  tx: ChainableCommander,
  jobId: string,
  customers: readonly StripeCustomerFacts[],
): void {
  if (customers.length === 0) return;
  tx.hset(
    store.key(jobId, 'stripe'),
    Object.fromEntries(customers.map((customer) => [customer.id, JSON.stringify(customer)])),
  );
  const linked = customers.filter((customer) => customer.userId);
  if (linked.length > 0) {
    tx.hset(
      store.key(jobId, 'stripe-user'),
      Object.fromEntries(linked.map((customer) => [customer.userId as string, customer.id])),
    );
  }
  const withEmail = customers.filter((customer) => customer.email && !customer.deleted);
  if (withEmail.length > 0) {
    tx.eval(
      NEWEST_EMAIL_SCRIPT,
      1,
      store.key(jobId, 'stripe-email'),
      ...withEmail.flatMap((customer) => [
        emailKey(customer.email as string),
        String(customer.created ?? 0),
        customer.id,
      ]),
    );
  }
}

/** The users the collection found: Clerk's, and (a sweep) Stripe customers linked to a user. */
export async function collectedUsers(
  { services, store }: JobContext,
  record: JobRecord,
  withStripeLinked: boolean,
): Promise<string[]> {
  const clerkIds = await services.ownRedis.hkeys(store.key(record.id, 'clerk'));
  const stripeLinked = withStripeLinked
    ? await services.ownRedis.hkeys(store.key(record.id, 'stripe-user'))
    : [];
  return [...new Set([...clerkIds, ...stripeLinked])].sort();
}

/** One batch's facts from what the collection stored: Clerk users, and customers by id and email. */
export async function collectedFacts(
  { services, store }: JobContext,
  record: JobRecord,
  userIds: readonly string[],
  snapshots: Map<string, CustomerCacheSnapshot>,
): Promise<BatchFacts> {
  const { ownRedis: redis } = services;
  const clerk = new Map<string, ClerkUserFacts>();
  const byId = new Map<string, StripeCustomerFacts>();
  const byEmail = new Map<string, StripeCustomerFacts>();
  const clerkRaw = await redis.hmget(store.key(record.id, 'clerk'), ...userIds);
  userIds.forEach((userId, index) => {
    const raw = clerkRaw[index];
    if (raw) clerk.set(userId, JSON.parse(raw) as ClerkUserFacts);
  });
  const emails = [
    ...new Set(
      [...clerk.values()]
        .map((user) => user.primaryEmail)
        .filter((e): e is string => !!e)
        .map(emailKey),
    ),
  ];
  const emailIds =
    emails.length > 0 ? await redis.hmget(store.key(record.id, 'stripe-email'), ...emails) : [];
  const emailToId = new Map<string, string>();
  emails.forEach((email, index) => {
    const value = emailIds[index];
    if (value) emailToId.set(email, value.slice(value.indexOf(':') + 1));
  });
  const mappedIds = [...snapshots.values()].map(mappedCustomerIdOf).filter((id): id is string => id !== null);
  const ids = [...new Set([...mappedIds, ...emailToId.values()])];
  const facts = ids.length > 0 ? await redis.hmget(store.key(record.id, 'stripe'), ...ids) : [];
  ids.forEach((id, index) => {
    const raw = facts[index];
    if (raw) byId.set(id, JSON.parse(raw) as StripeCustomerFacts);
  });
  for (const [email, id] of emailToId) {
    const customer = byId.get(id);
    if (customer) byEmail.set(email, customer);
  }
  return {
    clerk,
    lookup: {
      byId: (id) => byId.get(id) ?? null,
      byEmail: (email) => byEmail.get(emailKey(email)) ?? null,
    },
  };
}
