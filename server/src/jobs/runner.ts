import {
  type CreateJob,
  DEFAULT_SWEEP_SINCE_DAYS,
  type JobUserResult,
  type Staff,
} from '@cache-doctor/shared';
import { type Job, type Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PlannedWrite } from '../adapters/atomic-write';
import { redisReady } from '../adapters/redis';
import type { CustomerCacheSnapshot } from '../domain/customer-snapshot';
import type { ClerkUserFacts, StripeCustomerFacts } from '../domain/upstream-facts';
import { BatchCacheReader } from '../services/batch-cache';
import {
  type BatchPlan,
  diagnoseUser,
  emailKey,
  mappedCustomerIdOf,
  planUserRefresh,
  refreshCustomer,
  type StripeLookup,
} from '../services/batch-customers';
import { type BatchUpstream, CLERK_PAGE_SIZE, createBatchUpstream } from '../services/batch-upstream';
import type { Services } from '../services/container';
import { bullPrefix, createBullConnection, QUEUE_NAME } from './queue';
import { runScheduledOnce, SESSION_SWEEP_SCHEDULER_ID, SessionSweepTask } from './session-sweep';
import { JOB_RETENTION_SECONDS, type JobRecord, JobStore, RUN_DATA_TTL_SECONDS, RUN_PARTS } from './store';

/**
 * Jobs on BullMQ (SPEC §3 bulk, §4, §6.4). A job runs as many small BullMQ tasks that any number
 * of processes share:
 *   start → parts (collect Clerk pages and Stripe `created` ranges into the job's own keys)
 *         → plan (the set of users, cut into batches) → batch × N (diagnose; refresh; record).
 * Each batch commits its cache writes, its audit entry, its results, its counters and its
 * checkpoint marker in one WATCH/MULTI — so a batch counts exactly once: a worker killed mid-batch
 * leaves nothing behind, and the batch runs again elsewhere (BullMQ's stalled-job recovery); a
 * batch that already committed finds its marker and does nothing. Each part checkpoints its
 * cursor after every page, so a resumed part does not read a page twice.
 */

export const DEFAULT_BATCH_SIZE = 500;
/** Clerk users per collection part (offset ranges; the last part is open-ended). */
const CLERK_USERS_PER_PART = CLERK_PAGE_SIZE * 10;
const STRIPE_PARTS = 16;
const COMMIT_ATTEMPTS = 5;

type TaskData =
  | { kind: 'start'; jobId: string }
  | { kind: 'part'; jobId: string; part: string }
  | { kind: 'plan'; jobId: string }
  | { kind: 'batch'; jobId: string; batch: number }
  | { kind: typeof SESSION_SWEEP_SCHEDULER_ID };

/** The tasks of one job (the scheduled run belongs to none). */
type JobTaskData = Exclude<TaskData, { kind: typeof SESSION_SWEEP_SCHEDULER_ID }>;

/** Clerk: an offset range (the last one reads on until Clerk runs out); Stripe: a `created` range. */
type PartSpec =
  | { kind: 'clerk'; offset: number; last: boolean }
  | { kind: 'stripe'; gte: number; lt: number };

export interface RunnerOptions {
  /** BullMQ lock duration: how soon a dead worker's task is taken over (default JOB_LOCK_MS) */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  concurrency?: number;
}

/** Starts, cancels and reads jobs; what the routes and the CLI use. */
export class JobQueue {
  readonly store: JobStore;

  constructor(private readonly services: Services) {
    this.store = new JobStore(services.redis, services.keys);
  }

  async create(request: CreateJob, staff: Staff, options: { batchSize?: number } = {}): Promise<string> {
    const id = this.services.audit.newId();
    const record: JobRecord = {
      id,
      type: request.type,
      state: 'queued',
      phase: 'queued',
      actor: staff.id,
      actorName: staff.name,
      role: staff.role,
      createdAt: new Date().toISOString(),
      finishedAt: null,
      total: request.type === 'bulk-refresh' ? new Set(request.userIds).size : 0,
      done: 0,
      failed: 0,
      withProblems: 0,
      outOfSync: 0,
      batches: 0,
      batchesDone: 0,
      partsTotal: 0,
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      error: null,
      action: request.type === 'session-sweep' ? request.action : null,
      // fixed now, so a job resumed later still covers the window it was asked for
      since:
        request.type === 'session-sweep'
          ? (request.since ?? new Date(Date.now() - DEFAULT_SWEEP_SINCE_DAYS * 86_400_000).toISOString())
          : null,
      checked: 0,
      sessionCursor: null,
    };
    await this.store.create(record, request.type === 'bulk-refresh' ? [...new Set(request.userIds)] : null);
    await enqueue(this.services.jobQueue, { kind: 'start', jobId: id });
    return id;
  }

  /** Cancels a queued or running job: batches not yet started do nothing; it stops within one batch. */
  async cancel(id: string): Promise<boolean> {
    const cancelled = await this.store.transition(id, 'cancelled', {
      phase: 'finished',
      finishedAt: new Date().toISOString(),
    });
    // every batch commit WATCHes this key: the ones in flight abort instead of committing
    if (cancelled) {
      await this.services.redis.set(this.store.key(id, 'cancel'), '1', 'EX', JOB_RETENTION_SECONDS);
      await this.store.retire(id, RUN_PARTS);
    }
    return cancelled;
  }
}

const taskId = (data: JobTaskData) =>
  data.kind === 'start' || data.kind === 'plan'
    ? `${data.jobId}-${data.kind}`
    : data.kind === 'part'
      ? `${data.jobId}-part-${data.part}`
      : `${data.jobId}-batch-${data.batch}`;

function enqueue(queue: Queue, data: JobTaskData): Promise<unknown> {
  return queue.add(data.kind, data, { jobId: taskId(data) });
}

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

/** The processes' side: a BullMQ worker that runs every kind of task. */
export class JobWorker {
  readonly worker: Worker;
  private readonly store: JobStore;
  private readonly reader: BatchCacheReader;
  private readonly upstream: BatchUpstream;
  private readonly queue: Queue;
  private readonly sessionSweep: SessionSweepTask;
  /** tasks this worker finished, by kind (tests and the bench read it) */
  readonly processed = { start: 0, part: 0, plan: 0, batch: 0, [SESSION_SWEEP_SCHEDULER_ID]: 0 };

  constructor(
    private readonly services: Services,
    private readonly connection: Redis,
    options: RunnerOptions = {},
  ) {
    this.store = new JobStore(services.redis, services.keys);
    this.reader = new BatchCacheReader(services.redis, services.keys);
    this.upstream = createBatchUpstream(services);
    const prefix = bullPrefix(services.config.ownPrefix);
    this.queue = services.jobQueue;
    this.sessionSweep = new SessionSweepTask(services, this.store, this.upstream);
    this.worker = new Worker(QUEUE_NAME, (job: Job<TaskData>) => this.run(job), {
      connection,
      prefix,
      concurrency: options.concurrency ?? services.config.jobs.concurrency,
      lockDuration: options.lockDurationMs ?? services.config.jobs.lockMs,
      stalledInterval: options.stalledIntervalMs ?? services.config.jobs.lockMs,
      maxStalledCount: 5,
    });
    this.worker.on('error', () => {});
  }

  get limiterStats() {
    return { stripe: this.upstream.stripeLimiter.stats, clerk: this.upstream.clerkLimiter.stats };
  }

  async close(force = false): Promise<void> {
    await this.worker.close(force);
    this.connection.disconnect();
  }

  private async run(job: Job<TaskData>): Promise<void> {
    const data = job.data;
    if (data.kind === SESSION_SWEEP_SCHEDULER_ID) {
      await runScheduledOnce(this.services);
      this.processed[data.kind] += 1;
      return;
    }
    const record = await this.store.get(data.jobId);
    if (!record) return;
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      if (data.kind === 'start') await this.start(record);
      else if (data.kind === 'part') await this.part(record, data.part);
      else if (data.kind === 'plan') await this.plan(record);
      else await this.batch(record, data.batch, lastAttempt);
      this.processed[data.kind] += 1;
    } catch (error) {
      if (lastAttempt && data.kind !== 'batch') {
        const failed = await this.store.transition(record.id, 'failed', {
          phase: 'finished',
          finishedAt: new Date().toISOString(),
          error: error instanceof Error ? error.message : String(error),
        });
        if (failed) await this.store.retire(record.id, RUN_PARTS);
      }
      throw error;
    }
  }

  private async start(record: JobRecord): Promise<void> {
    if (record.state !== 'queued' && record.state !== 'running') return;
    if (record.type === 'session-sweep') {
      await this.store.transition(record.id, 'running', { phase: 'processing' });
      if (await this.sessionSweep.run(record)) await this.finish(record.id);
      return;
    }
    if (record.type === 'bulk-refresh') {
      await this.store.transition(record.id, 'running', { phase: 'processing' });
      await enqueue(this.queue, { kind: 'plan', jobId: record.id });
      return;
    }
    const partsKey = this.store.key(record.id, 'parts');
    let names = JSON.parse((await this.services.redis.get(partsKey)) ?? 'null') as string[] | null;
    if (!names) {
      await this.store.transition(record.id, 'running', { phase: 'collecting' });
      // Stripe first: its limit is the tighter one, so its parts should never wait behind Clerk's
      const parts: PartSpec[] = await this.stripeRanges();
      const users = await this.upstream.clerkCount();
      for (let offset = 0; offset === 0 || offset < users; offset += CLERK_USERS_PER_PART) {
        parts.push({ kind: 'clerk', offset, last: offset + CLERK_USERS_PER_PART >= users });
      }
      names = parts.map(partName);
      // stored first: a start task run again after a crash enqueues the same parts (deduplicated by id)
      await this.services.redis
        .multi()
        .set(partsKey, JSON.stringify(names))
        .hset(this.store.key(record.id), 'partsTotal', String(names.length))
        .exec();
    }
    await this.queue.addBulk(
      names.map((part) => {
        const data: JobTaskData = { kind: 'part', jobId: record.id, part };
        return { name: 'part', data, opts: { jobId: taskId(data) } };
      }),
    );
  }

  /**
   * `created` ranges that split Stripe's customers into parallel parts: the newest customer
   * bounds them above; doubling, then halving, steps find roughly where the oldest one is.
   */
  private async stripeRanges(): Promise<PartSpec[]> {
    const newest = await this.upstream.stripeNewest();
    if (newest === null) return [];
    const top = newest + 1;
    let span = 7 * 86_400;
    while (span < 40 * 365 * 86_400 && (await this.upstream.stripeAnyBefore(top - span))) span *= 2;
    let lowSpan = span / 2;
    for (let step = 0; step < 3; step += 1) {
      const middle = (lowSpan + span) / 2;
      if (await this.upstream.stripeAnyBefore(top - middle)) lowSpan = middle;
      else span = middle;
    }
    const bottom = Math.floor(top - span);
    const width = Math.ceil((top - bottom) / STRIPE_PARTS);
    return Array.from({ length: STRIPE_PARTS }, (_, index) => ({
      kind: 'stripe' as const,
      // the first range is open below: anything older than the estimate still gets read
      gte: index === 0 ? 0 : bottom + index * width,
      lt: index === STRIPE_PARTS - 1 ? top : bottom + (index + 1) * width,
    }));
  }

  private async part(record: JobRecord, name: string): Promise<void> {
    if (record.state !== 'running') return;
    const { redis } = this.services;
    const checkpointKey = this.store.key(record.id, 'part-cursor');
    const spec = parsePart(name);
    const done = this.store.key(record.id, 'parts-done');
    if (await redis.sismember(done, name)) return;
    if (spec.kind === 'clerk') {
      let offset = Number((await redis.hget(checkpointKey, name)) ?? spec.offset);
      const end = spec.offset + CLERK_USERS_PER_PART;
      for (;;) {
        if (await this.cancelled(record.id)) return;
        const limit = spec.last ? CLERK_PAGE_SIZE : Math.min(CLERK_PAGE_SIZE, end - offset);
        if (limit <= 0) break;
        const users = await this.upstream.clerkPage(offset, limit);
        offset += users.length;
        const tx = redis.multi();
        if (users.length > 0) {
          tx.hset(
            this.store.key(record.id, 'clerk'),
            Object.fromEntries(users.map((user) => [user.id, JSON.stringify(user)])),
          );
        }
        tx.hset(checkpointKey, name, String(offset));
        tx.expire(this.store.key(record.id, 'clerk'), RUN_DATA_TTL_SECONDS);
        await tx.exec();
        if (users.length < limit) break;
      }
    } else {
      let cursor = (await redis.hget(checkpointKey, name)) || null;
      for (;;) {
        if (await this.cancelled(record.id)) return;
        const page = await this.upstream.stripePage({ gte: spec.gte, lt: spec.lt }, cursor);
        cursor = page.last ?? cursor;
        const tx = redis.multi();
        this.storeCustomers(tx, record.id, page.data);
        if (cursor) tx.hset(checkpointKey, name, cursor);
        for (const part of ['stripe', 'stripe-user', 'stripe-email', 'part-cursor']) {
          tx.expire(this.store.key(record.id, part), RUN_DATA_TTL_SECONDS);
        }
        await tx.exec();
        if (!page.hasMore) break;
      }
    }
    const results = await redis.multi().sadd(done, name).scard(done).exec();
    const count = Number(results?.[1]?.[1] ?? 0);
    const partsTotal = Number(await redis.hget(this.store.key(record.id), 'partsTotal'));
    if (count >= partsTotal) await enqueue(this.queue, { kind: 'plan', jobId: record.id });
  }

  private storeCustomers(
    tx: ReturnType<Services['redis']['multi']>,
    jobId: string,
    customers: readonly StripeCustomerFacts[],
  ): void {
    if (customers.length === 0) return;
    tx.hset(
      this.store.key(jobId, 'stripe'),
      Object.fromEntries(customers.map((customer) => [customer.id, JSON.stringify(customer)])),
    );
    const linked = customers.filter((customer) => customer.userId);
    if (linked.length > 0) {
      tx.hset(
        this.store.key(jobId, 'stripe-user'),
        Object.fromEntries(linked.map((customer) => [customer.userId as string, customer.id])),
      );
    }
    const withEmail = customers.filter((customer) => customer.email && !customer.deleted);
    if (withEmail.length > 0) {
      tx.eval(
        NEWEST_EMAIL_SCRIPT,
        1,
        this.store.key(jobId, 'stripe-email'),
        ...withEmail.flatMap((customer) => [
          emailKey(customer.email as string),
          String(customer.created ?? 0),
          customer.id,
        ]),
      );
    }
  }

  private async cancelled(jobId: string): Promise<boolean> {
    return (await this.services.redis.hget(this.store.key(jobId), 'state')) === 'cancelled';
  }

  private async plan(record: JobRecord): Promise<void> {
    if (record.state !== 'running') return;
    const { redis } = this.services;
    if (record.batches === 0) {
      let userIds: string[];
      if (record.type === 'bulk-refresh') userIds = await this.store.input(record.id);
      else {
        const clerkIds = await redis.hkeys(this.store.key(record.id, 'clerk'));
        const stripeLinked =
          record.type === 'sweep' ? await redis.hkeys(this.store.key(record.id, 'stripe-user')) : [];
        userIds = [...new Set([...clerkIds, ...stripeLinked])].sort();
      }
      const size = record.batchSize;
      const batches = Math.ceil(userIds.length / size);
      const tx = redis.multi();
      for (let index = 0; index < batches; index += 1) {
        tx.set(
          this.store.key(record.id, `batch:${index}`),
          JSON.stringify(userIds.slice(index * size, (index + 1) * size)),
        );
      }
      tx.hset(this.store.key(record.id), {
        total: String(userIds.length),
        batches: String(batches),
        phase: 'processing',
      });
      await tx.exec();
      record.batches = batches;
      if (batches === 0) {
        await this.finish(record.id);
        return;
      }
    }
    await this.queue.addBulk(
      Array.from({ length: record.batches }, (_, batch) => {
        const data: JobTaskData = { kind: 'batch', jobId: record.id, batch };
        return { name: 'batch', data, opts: { jobId: taskId(data) } };
      }),
    );
  }

  private async batch(record: JobRecord, batch: number, lastAttempt: boolean): Promise<void> {
    const { redis } = this.services;
    if (record.state !== 'running') return;
    const marker = this.store.key(record.id, `batch-done:${batch}`);
    if (await redis.exists(marker)) return;
    const userIds = JSON.parse(
      (await redis.get(this.store.key(record.id, `batch:${batch}`))) ?? '[]',
    ) as string[];
    let committed: boolean;
    try {
      committed = await this.processBatch(record, batch, userIds);
    } catch (error) {
      if (!lastAttempt) throw error;
      // out of attempts: the batch's users are recorded as failed, and the job goes on
      const message = error instanceof Error ? error.message : String(error);
      const results: JobUserResult[] = userIds.map((userId) => ({
        userId,
        outcome: 'failed',
        problems: [],
        broken: false,
        message,
      }));
      committed = (await this.commit(record, batch, [], null, results, 0)) === true;
    }
    if (committed) await this.maybeFinish(record.id);
  }

  /** Diagnoses (and for refresh jobs repairs) one batch; false when another worker already did it. */
  private async processBatch(record: JobRecord, batch: number, userIds: string[]): Promise<boolean> {
    for (let attempt = 1; attempt <= COMMIT_ATTEMPTS; attempt += 1) {
      const snapshots = await this.reader.readHealthSnapshots(userIds);
      const { clerk, lookup } = await this.upstreamFor(record, userIds, snapshots);
      const results: JobUserResult[] = [];
      let outOfSync = 0;
      const diagnoses = new Map(
        userIds.map((userId) => {
          const diagnosis = diagnoseUser(
            snapshots.get(userId) as CustomerCacheSnapshot,
            clerk.get(userId) ?? null,
            lookup,
          );
          if (diagnosis.outOfSync) outOfSync += 1;
          return [userId, diagnosis] as const;
        }),
      );
      const codesOf = (userId: string) =>
        (diagnoses.get(userId)?.problems ?? []).map((problem) => problem.code);
      const brokenOf = (userId: string) => diagnoses.get(userId)?.broken ?? false;
      if (record.type === 'sweep') {
        for (const userId of userIds) {
          results.push({ userId, outcome: 'diagnosed', problems: codesOf(userId), broken: brokenOf(userId) });
        }
        const outcome = await this.commit(record, batch, [], null, results, outOfSync);
        if (outcome !== null) return outcome;
        continue;
      }
      const plans = await this.refreshPlans(userIds, snapshots, clerk, lookup);
      const writes: PlannedWrite[] = [];
      const claimed = new Set<string>();
      let refreshed = 0;
      for (const plan of plans) {
        const base = { userId: plan.userId, problems: codesOf(plan.userId), broken: brokenOf(plan.userId) };
        if (plan.kind === 'skip') results.push({ ...base, outcome: 'skipped', message: plan.message });
        else if (plan.kind === 'incomplete') {
          results.push({ ...base, outcome: 'failed', message: 'The cache kept changing while it was read.' });
        } else if (plan.writes.some((write) => claimed.has(write.key))) {
          results.push({
            ...base,
            outcome: 'failed',
            message:
              'Shares a cache key with another user of the same batch; refresh this user on their own.',
          });
        } else {
          for (const write of plan.writes) claimed.add(write.key);
          writes.push(...plan.writes);
          refreshed += 1;
          results.push({ ...base, outcome: 'refreshed' });
        }
      }
      const audit = {
        id: this.services.audit.newId(),
        at: new Date().toISOString(),
        actor: record.actor,
        ...(record.actorName !== undefined && { actorName: record.actorName }),
        role: record.role,
        action: record.type,
        target: `job:${record.id}`,
        result: 'applied' as const,
        message: `Batch ${batch + 1} of ${record.batches} of job ${record.id}: refreshed ${refreshed} users from Stripe.`,
      };
      const outcome = await this.commit(
        record,
        batch,
        writes,
        writes.length > 0 ? audit : null,
        results,
        outOfSync,
      );
      if (outcome !== null) return outcome;
    }
    throw new Error(`The cache kept changing while batch ${batch + 1} was written; it will be tried again.`);
  }

  private async refreshPlans(
    userIds: readonly string[],
    snapshots: Map<string, CustomerCacheSnapshot>,
    clerk: Map<string, ClerkUserFacts>,
    lookup: StripeLookup,
  ): Promise<BatchPlan[]> {
    const now = Date.now();
    const target = (userId: string, snapshot: CustomerCacheSnapshot) =>
      refreshCustomer(snapshot, clerk.get(userId) ?? null, lookup);
    const plans = new Map<string, BatchPlan>();
    const current = new Map(snapshots);
    const customers = new Map(
      userIds.map((userId) => [userId, target(userId, snapshots.get(userId) as CustomerCacheSnapshot)]),
    );
    let pending = [...userIds];
    for (let round = 0; round < 3 && pending.length > 0; round += 1) {
      const incomplete: BatchPlan[] = [];
      for (const userId of pending) {
        const plan = planUserRefresh(
          this.services.keys,
          current.get(userId) as CustomerCacheSnapshot,
          clerk.get(userId) ?? null,
          customers.get(userId) ?? null,
          now,
        );
        plans.set(userId, plan);
        if (plan.kind === 'incomplete') incomplete.push(plan);
      }
      if (incomplete.length === 0) break;
      const reread = await this.reader.readRequests(
        incomplete.map((plan) => (plan as Extract<BatchPlan, { kind: 'incomplete' }>).request),
      );
      for (const [userId, snapshot] of reread) current.set(userId, snapshot);
      pending = incomplete.map((plan) => plan.userId);
    }
    return userIds.map((userId) => plans.get(userId) as BatchPlan);
  }

  /** Clerk facts and a Stripe lookup for the batch: from the collected facts, or (bulk refresh) fetched. */
  private async upstreamFor(
    record: JobRecord,
    userIds: readonly string[],
    snapshots: Map<string, CustomerCacheSnapshot>,
  ): Promise<{ clerk: Map<string, ClerkUserFacts>; lookup: StripeLookup }> {
    const clerk = new Map<string, ClerkUserFacts>();
    const byId = new Map<string, StripeCustomerFacts>();
    const byEmail = new Map<string, StripeCustomerFacts>();
    const lookup: StripeLookup = {
      byId: (id) => byId.get(id) ?? null,
      byEmail: (email) => byEmail.get(emailKey(email)) ?? null,
    };
    if (record.type === 'bulk-refresh') {
      for (let i = 0; i < userIds.length; i += 100) {
        for (const user of await this.upstream.clerkUsersById(userIds.slice(i, i + 100)))
          clerk.set(user.id, user);
      }
      await Promise.all(
        userIds.map(async (userId) => {
          const snapshot = snapshots.get(userId) as CustomerCacheSnapshot;
          const mapped = mappedCustomerIdOf(snapshot);
          const customer = mapped ? await this.upstream.stripeCustomer(mapped) : null;
          if (customer && mapped) byId.set(mapped, customer);
          const email = clerk.get(userId)?.primaryEmail;
          if ((!customer || customer.deleted) && email) {
            const found = await this.upstream.stripeCustomerByEmail(email);
            if (found) byEmail.set(emailKey(email), found);
          }
        }),
      );
      return { clerk, lookup };
    }
    const { redis } = this.services;
    const clerkRaw = await redis.hmget(this.store.key(record.id, 'clerk'), ...userIds);
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
      emails.length > 0 ? await redis.hmget(this.store.key(record.id, 'stripe-email'), ...emails) : [];
    const emailToId = new Map<string, string>();
    emails.forEach((email, index) => {
      const value = emailIds[index];
      if (value) emailToId.set(email, value.slice(value.indexOf(':') + 1));
    });
    const mappedIds = [...snapshots.values()]
      .map(mappedCustomerIdOf)
      .filter((id): id is string => id !== null);
    const ids = [...new Set([...mappedIds, ...emailToId.values()])];
    const facts = ids.length > 0 ? await redis.hmget(this.store.key(record.id, 'stripe'), ...ids) : [];
    ids.forEach((id, index) => {
      const raw = facts[index];
      if (raw) byId.set(id, JSON.parse(raw) as StripeCustomerFacts);
    });
    for (const [email, id] of emailToId) {
      const customer = byId.get(id);
      if (customer) byEmail.set(email, customer);
    }
    return { clerk, lookup };
  }

  /**
   * The batch's writes, audit entry, results, counters and checkpoint in one WATCH/MULTI. null:
   * a key changed since it was read (re-read and re-plan); false: the batch was already done.
   */
  private async commit(
    record: JobRecord,
    batch: number,
    writes: readonly PlannedWrite[],
    audit: Parameters<Services['writer']['commit']>[1] | null,
    results: readonly JobUserResult[],
    outOfSync: number,
  ): Promise<boolean | null> {
    const marker = this.store.key(record.id, `batch-done:${batch}`);
    const connection = this.services.redis.duplicate();
    connection.on('error', () => {});
    try {
      await redisReady(connection);
      const keys = writes.map((write) => write.key);
      // The job hash is not watched: every batch bumps its counters, so watching it would make
      // parallel batches abort each other. The cancel key is: a cancel aborts every batch in flight.
      await connection.watch(marker, this.store.key(record.id, 'cancel'), ...keys);
      const [exists, state] = await Promise.all([
        connection.exists(marker),
        connection.hget(this.store.key(record.id), 'state'),
      ]);
      if (exists || state !== 'running') {
        await connection.unwatch();
        return false;
      }
      const ttlBefore: Record<string, number> = {};
      if (keys.length > 0) {
        const { values } = await this.reader.read(keys, [], connection);
        for (const write of writes) {
          const current = values.get(write.key);
          if ((current?.raw ?? null) !== write.before) {
            await connection.unwatch();
            return null;
          }
          ttlBefore[write.key] = current?.ttl ?? -2;
        }
      }
      const tx = connection.multi();
      for (const write of writes) {
        if (write.after === null) tx.del(write.key);
        else if (write.ttlSeconds === null) tx.set(write.key, write.after, 'KEEPTTL');
        else if (write.ttlSeconds === 'persist') tx.set(write.key, write.after);
        else tx.set(write.key, write.after, 'EX', write.ttlSeconds);
      }
      if (audit) {
        this.services.audit.appendTo(tx, {
          ...audit,
          before: Object.fromEntries(writes.map((write) => [write.key, write.before])),
          after: Object.fromEntries(writes.map((write) => [write.key, write.after])),
          ttlBefore,
        });
      }
      this.store.recordBatch(tx, record.id, batch, results, { outOfSync });
      const result = await tx.exec();
      // WATCH fired: a key changed, or another worker committed this very batch
      if (result === null) return null;
      const failed = result.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
      return true;
    } finally {
      connection.disconnect();
    }
  }

  private async maybeFinish(jobId: string): Promise<void> {
    const record = await this.store.get(jobId);
    if (record && record.batchesDone >= record.batches) await this.finish(jobId);
  }

  private async finish(jobId: string): Promise<void> {
    const finishedAt = new Date().toISOString();
    if (!(await this.store.transition(jobId, 'completed', { phase: 'finished', finishedAt }))) return;
    const record = await this.store.get(jobId);
    if (record?.type === 'sweep') {
      await this.services.redis.set(
        this.services.keys.own('metrics:last-sweep'),
        JSON.stringify({
          jobId,
          at: finishedAt,
          checked: record.done - record.failed,
          outOfSync: record.outOfSync,
          rate: record.done - record.failed > 0 ? record.outOfSync / (record.done - record.failed) : 0,
        }),
      );
    }
    const batchKeys = Array.from({ length: record?.batches ?? 0 }, (_, index) => `batch:${index}`);
    await this.store.retire(jobId, [...RUN_PARTS, ...batchKeys]);
  }
}

/** A worker with its own blocking connection; any number of them share the queue. */
export async function startJobWorker(services: Services, options: RunnerOptions = {}): Promise<JobWorker> {
  const worker = new JobWorker(services, createBullConnection(services.config.redisUrl as string), options);
  await worker.worker.waitUntilReady();
  return worker;
}
