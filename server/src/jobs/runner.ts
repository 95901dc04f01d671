import {
  type CreateJob,
  DEFAULT_SWEEP_SINCE_DAYS,
  type JobType,
  type JobUserResult,
  type Staff,
} from '@cache-doctor/shared';
import { type Job, type Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CommitGuard } from '../adapters/atomic-write';
import { BatchCacheReader } from '../adapters/customer-store';
import { diagnoseUser } from '../domain/customer-owner';
import type { CustomerCacheSnapshot } from '../domain/customer-snapshot';
import { createBatchUpstream } from '../services/batch-upstream';
import type { Services } from '../services/container';
import { runPolicies } from '../services/policies';
import type { BatchJobTask, JobContext } from './batch-task';
import { bulkRefreshTask } from './bulk-refresh';
import { collectPart, startCollecting } from './collect';
import { enqueue, type JobTaskData, type TaskData, taskId } from './job-tasks';
import { POLICY_RUN_KIND, queuePolicyRun } from './policies';
import { bullPrefix, createBullConnection, QUEUE_NAME } from './queue';
import { rebuildTask } from './rebuild';
import { HEALTH_SWEEP_SCHEDULER_ID, startScheduledHealthSweep } from './scheduled-sweep';
import { runScheduledOnce, SESSION_SWEEP_SCHEDULER_ID, SessionSweepTask } from './session-sweep';
import { type CreateOptions, JOB_RETENTION_SECONDS, type JobRecord, JobStore, RUN_PARTS } from './store';
import { sweepTask } from './sweep';

/**
 * Jobs on BullMQ (SPEC §3 bulk, §4, §6.4): the queue core. A job runs as many small BullMQ tasks
 * that any number of processes share:
 *   start → parts (sweep, rebuild: `jobs/collect.ts`) → plan (the users, cut into batches)
 *         → batch × N (each job type's step: `jobs/sweep.ts`, `jobs/rebuild.ts`, `jobs/bulk-refresh.ts`).
 * Each batch commits its cache writes, its audit entry, its results, its counters and its
 * checkpoint marker through the atomic writer in one WATCH/MULTI — so a batch counts exactly
 * once: a worker killed mid-batch leaves nothing behind, and the batch runs again elsewhere
 * (BullMQ's stalled-job recovery); a batch that already committed finds its marker and does
 * nothing. The session sweep is a job of its own kind (`jobs/session-sweep.ts`).
 */

export const DEFAULT_BATCH_SIZE = 500;
const COMMIT_ATTEMPTS = 5;

const BATCH_TASKS: Record<Exclude<JobType, 'session-sweep'>, BatchJobTask> = {
  sweep: sweepTask,
  rebuild: rebuildTask,
  'bulk-refresh': bulkRefreshTask,
};

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
    this.store = new JobStore(services.ownRedis, services.keys);
  }

  /** `options`: what it keeps of the plan someone confirmed (see CreateOptions). */
  async create(request: CreateJob, staff: Staff, options: CreateOptions = {}) {
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
      total: request.type === 'bulk-refresh' ? new Set(request.userIds).size : (options.users ?? 0),
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
    };
    const userIds = request.type === 'bulk-refresh' ? [...new Set(request.userIds)] : null;
    // The start task first, then the record, committed only within the Redis deadline: a task that
    // a hung Redis takes after we answered 503 finds no job and does nothing (no ghost job).
    await enqueue(this.services.jobQueue, { kind: 'start', jobId: id });
    await this.services.writer.commit({
      writes: [],
      audit: null,
      guard: {
        watch: [],
        allows: async () => true,
        alongside: (tx) => this.store.queueCreate(tx, record, userIds, options.sessions ?? null),
      },
    });
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
      await this.services.ownRedis.set(this.store.key(id, 'cancel'), '1', 'EX', JOB_RETENTION_SECONDS);
      await this.store.retire(id, RUN_PARTS);
    }
    return cancelled;
  }
}

/** The processes' side: a BullMQ worker that runs every kind of task. */
export class JobWorker {
  readonly worker: Worker;
  private readonly context: JobContext;
  private readonly queue: Queue;
  private readonly sessionSweep: SessionSweepTask;
  /** tasks this worker finished, by kind (tests and the bench read it) */
  readonly processed = {
    start: 0,
    part: 0,
    plan: 0,
    batch: 0,
    [SESSION_SWEEP_SCHEDULER_ID]: 0,
    [HEALTH_SWEEP_SCHEDULER_ID]: 0,
    [POLICY_RUN_KIND]: 0,
  };

  constructor(
    private readonly services: Services,
    private readonly connection: Redis,
    options: RunnerOptions = {},
  ) {
    this.context = {
      services,
      store: new JobStore(services.ownRedis, services.keys),
      reader: new BatchCacheReader(services.redis, services.keys),
      upstream: createBatchUpstream(services),
    };
    this.queue = services.jobQueue;
    this.sessionSweep = new SessionSweepTask(services, this.context.store, this.context.upstream);
    this.worker = new Worker(QUEUE_NAME, (job: Job<TaskData>) => this.run(job), {
      connection,
      prefix: bullPrefix(services.config.ownPrefix),
      concurrency: options.concurrency ?? services.config.jobs.concurrency,
      lockDuration: options.lockDurationMs ?? services.config.jobs.lockMs,
      stalledInterval: options.stalledIntervalMs ?? services.config.jobs.lockMs,
      maxStalledCount: 5,
    });
    this.worker.on('error', () => {});
  }

  get limiterStats() {
    const { upstream } = this.context;
    return { stripe: upstream.stripeLimiter.stats, clerk: upstream.clerkLimiter.stats };
  }

  async close(force = false): Promise<void> {
    await this.worker.close(force);
    this.connection.disconnect();
  }

  private async run(job: Job<TaskData>): Promise<void> {
    const data = job.data;
    if (data.kind === SESSION_SWEEP_SCHEDULER_ID) {
      // automatic repairs act on what the run found (SPEC §3)
      if (await runScheduledOnce(this.services)) await queuePolicyRun(this.queue);
      this.processed[data.kind] += 1;
      return;
    }
    if (data.kind === POLICY_RUN_KIND) {
      await runPolicies(this.services);
      this.processed[data.kind] += 1;
      return;
    }
    if (data.kind === HEALTH_SWEEP_SCHEDULER_ID) {
      await startScheduledHealthSweep(this.services, new JobQueue(this.services));
      this.processed[data.kind] += 1;
      return;
    }
    const record = await this.context.store.get(data.jobId);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (!record) {
      // a start task can run before its job's record commits; one whose record never came is dropped
      if (data.kind === 'start' && !lastAttempt) throw new Error(`job ${data.jobId} is not recorded yet`);
      return;
    }
    try {
      if (data.kind === 'start') await this.start(record);
      else if (data.kind === 'part') await collectPart(this.context, this.queue, record, data.part);
      else if (data.kind === 'plan') await this.plan(record);
      else await this.batch(record, data.batch, lastAttempt);
      this.processed[data.kind] += 1;
    } catch (error) {
      if (lastAttempt && data.kind !== 'batch') {
        const failed = await this.context.store.transition(record.id, 'failed', {
          phase: 'finished',
          finishedAt: new Date().toISOString(),
          error: error instanceof Error ? error.message : String(error),
        });
        if (failed) await this.context.store.retire(record.id, RUN_PARTS);
      }
      throw error;
    }
  }

  private async start(record: JobRecord): Promise<void> {
    if (record.state !== 'queued' && record.state !== 'running') return;
    if (record.type === 'session-sweep') {
      await this.context.store.transition(record.id, 'running', { phase: 'processing' });
      if (await this.sessionSweep.run(record)) await this.finish(record.id);
      return;
    }
    if (BATCH_TASKS[record.type].collects) {
      await startCollecting(this.context, this.queue, record);
      return;
    }
    await this.context.store.transition(record.id, 'running', { phase: 'processing' });
    await enqueue(this.queue, { kind: 'plan', jobId: record.id });
  }

  private async plan(record: JobRecord): Promise<void> {
    if (record.state !== 'running' || record.type === 'session-sweep') return;
    if (record.batches === 0) {
      const userIds = await BATCH_TASKS[record.type].users(this.context, record);
      record.batches = await this.context.store.saveBatches(record.id, userIds, record.batchSize);
      if (record.batches === 0) {
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
    const { ownRedis: redis } = this.services;
    if (record.state !== 'running' || record.type === 'session-sweep') return;
    // A batch already committed runs again when its worker (or Redis) died after the commit and
    // before the job's finish: only the finish is left to do, or the job would run forever.
    if (!(await redis.exists(this.context.store.key(record.id, `batch-done:${batch}`)))) {
      await this.commitBatch(BATCH_TASKS[record.type], record, batch, lastAttempt);
    }
    await this.maybeFinish(record.id);
  }

  /** The batch's commit; out of attempts, its users recorded as failed so the job goes on. */
  private async commitBatch(
    task: BatchJobTask,
    record: JobRecord,
    batch: number,
    lastAttempt: boolean,
  ): Promise<void> {
    const userIds = await this.context.store.batchUsers(record.id, batch);
    try {
      await this.processBatch(task, record, batch, userIds);
    } catch (error) {
      if (!lastAttempt) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const results: JobUserResult[] = userIds.map((userId) => ({
        userId,
        outcome: 'failed',
        problems: [],
        broken: false,
        message,
      }));
      await this.services.writer.commit({
        writes: [],
        audit: null,
        guard: this.batchGuard(record, batch, results, 0),
      });
    }
  }

  /** Diagnoses (and for refresh jobs repairs) one batch; nothing when another worker already did it. */
  private async processBatch(
    task: BatchJobTask,
    record: JobRecord,
    batch: number,
    userIds: string[],
  ): Promise<void> {
    await this.services.writer.commitRetrying(
      async () => {
        const snapshots = await this.context.reader.readHealthSnapshots(userIds);
        const facts = await task.facts(this.context, record, userIds, snapshots);
        const diagnoses = new Map(
          userIds.map((userId) => [
            userId,
            diagnoseUser(
              snapshots.get(userId) as CustomerCacheSnapshot,
              facts.clerk.get(userId) ?? null,
              facts.lookup,
            ),
          ]),
        );
        let outOfSync = 0;
        for (const diagnosis of diagnoses.values()) if (diagnosis.outOfSync) outOfSync += 1;
        const outcome = await task.outcome(this.context, {
          record,
          batch,
          userIds,
          snapshots,
          facts,
          diagnoses,
        });
        return {
          writes: outcome.writes,
          audit: outcome.audit,
          guard: this.batchGuard(record, batch, outcome.results, outOfSync),
        };
      },
      {
        attempts: COMMIT_ATTEMPTS,
        conflict: `The cache kept changing while batch ${batch + 1} was written; it will be tried again.`,
      },
    );
  }

  /**
   * The batch's bookkeeping in its commit, only while the job runs and the batch is not done. The
   * cancel key is watched (a cancel aborts batches in flight), the job hash is not (every batch bumps it).
   */
  private batchGuard(
    record: JobRecord,
    batch: number,
    results: readonly JobUserResult[],
    outOfSync: number,
  ): CommitGuard {
    const marker = this.context.store.key(record.id, `batch-done:${batch}`);
    return {
      watch: [marker, this.context.store.key(record.id, 'cancel')],
      allows: async (connection) => {
        const [exists, state] = await Promise.all([
          connection.exists(marker),
          connection.hget(this.context.store.key(record.id), 'state'),
        ]);
        return !exists && state === 'running';
      },
      alongside: (transaction) =>
        this.context.store.recordBatch(transaction, record.id, batch, results, { outOfSync }),
    };
  }

  private async maybeFinish(jobId: string): Promise<void> {
    const record = await this.context.store.get(jobId);
    if (record && record.batchesDone >= record.batches) await this.finish(jobId);
  }

  private async finish(jobId: string): Promise<void> {
    const finishedAt = new Date().toISOString();
    if (!(await this.context.store.transition(jobId, 'completed', { phase: 'finished', finishedAt }))) return;
    const record = await this.context.store.get(jobId);
    if (record && record.type !== 'session-sweep')
      await BATCH_TASKS[record.type].finished?.(this.context, record, finishedAt);
    const batchKeys = Array.from({ length: record?.batches ?? 0 }, (_, index) => `batch:${index}`);
    await this.context.store.retire(jobId, [...RUN_PARTS, ...batchKeys]);
  }
}

/** A worker with its own blocking connection; any number of them share the queue. */
export async function startJobWorker(services: Services, options: RunnerOptions = {}): Promise<JobWorker> {
  const worker = new JobWorker(
    services,
    createBullConnection(services.config.ownRedisUrl as string),
    options,
  );
  await worker.worker.waitUntilReady();
  return worker;
}
