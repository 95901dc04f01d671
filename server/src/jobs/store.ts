import type {
  JobSessionResult,
  JobState,
  JobType,
  JobUserResult,
  JobView,
  Role,
  SessionSweepAction,
  Staff,
} from '@cache-doctor/shared';
import { jobSessionResultSchema, jobUserResultSchema, tallyBucket } from '@cache-doctor/shared';
import type { ChainableCommander, Redis } from 'ioredis';
import { type Keys, OWN_KEYS } from '../keys';

/**
 * A job's own state in Cache Doctor's keys (SPEC §1.3), beside BullMQ's: the job hash (type,
 * state, counters), per-user results, the facts its collection phase gathered, and one marker per
 * finished batch — the checkpoint that makes a batch count once however often it is run.
 */

export type JobPhase = 'queued' | 'collecting' | 'processing' | 'finished';

export interface JobRecord {
  id: string;
  type: JobType;
  state: JobState;
  phase: JobPhase;
  /** the staff id of who started it; `actorName` is their display name (absent in older records) */
  actor: string;
  actorName?: string;
  role: Role;
  createdAt: string;
  /** when a worker first took it up (absent while queued) */
  startedAt?: string | null;
  finishedAt: string | null;
  total: number;
  done: number;
  failed: number;
  withProblems: number;
  outOfSync: number;
  batches: number;
  batchesDone: number;
  partsTotal: number;
  batchSize: number;
  error: string | null;
  /** session-sweep: what to do with each unprocessed session, and from when (ISO) */
  action: SessionSweepAction | null;
  since: string | null;
  /** session-sweep: completed checkout sessions read so far */
  checked: number;
}

/** What a new job takes from the plan someone confirmed (JobQueue.create). */
export interface CreateOptions {
  batchSize?: number;
  /** how many users the confirmed plan named, so a queued job already shows its total */
  users?: number;
  /** session-sweep fix/generate: the sessions the confirmed plan names, the only ones it repairs */
  sessions?: readonly string[];
}

/** How long a finished job's record and results stay. */
export const JOB_RETENTION_SECONDS = 30 * 24 * 3600;

export class JobStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  key(id: string, part?: string): string {
    return this.keys.own(`${OWN_KEYS.job}${id}${part ? `:${part}` : ''}`);
  }

  get indexKey(): string {
    return this.keys.own(OWN_KEYS.jobIndex);
  }

  /**
   * Queues the new job's record on `tx` — the writer's guarded MULTI, so a record whose request
   * already answered an error (Redis hung) can never appear later. `planSessions`: the sessions a
   * confirmed "Fix all" / "Generate all" may write to (SPEC §3), committed with the record, so no
   * run of the job ever acts on a session nobody confirmed.
   */
  queueCreate(
    tx: ChainableCommander,
    record: JobRecord,
    userIds: readonly string[] | null,
    planSessions: readonly string[] | null = null,
  ): void {
    tx.hset(this.key(record.id), serialize(record));
    if (userIds) tx.set(this.key(record.id, 'input'), JSON.stringify(userIds));
    if (planSessions) tx.set(this.key(record.id, 'plan-sessions'), JSON.stringify(planSessions));
    tx.zadd(this.indexKey, Date.parse(record.createdAt), record.id);
  }

  async get(id: string): Promise<JobRecord | null> {
    const raw = await this.redis.hgetall(this.key(id));
    return raw.type ? deserialize(raw) : null;
  }

  /** The sessions the confirmed plan names; null when the job was started without a confirmed plan. */
  async planSessions(id: string): Promise<ReadonlySet<string> | null> {
    const raw = await this.redis.get(this.key(id, 'plan-sessions'));
    return raw === null ? null : new Set(JSON.parse(raw) as string[]);
  }

  async input(id: string): Promise<string[]> {
    const raw = await this.redis.get(this.key(id, 'input'));
    return raw ? (JSON.parse(raw) as string[]) : [];
  }

  /** Newest first. */
  async list(limit: number): Promise<JobRecord[]> {
    const ids = await this.redis.zrevrange(this.indexKey, 0, limit - 1);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((record): record is JobRecord => record !== null);
  }

  async update(id: string, fields: Partial<JobRecord>): Promise<void> {
    await this.redis.hset(this.key(id), serialize(fields));
  }

  /**
   * Moves a job out of `queued`/`running` only: a finished job keeps its end state. The first move
   * to `running` stamps `startedAt`, where the job's duration counts from (not its time queued).
   */
  async transition(id: string, to: JobState, fields: Partial<JobRecord> = {}): Promise<boolean> {
    const result = await this.redis.eval(
      `local s = redis.call('HGET', KEYS[1], 'state')
       if s == 'queued' or s == 'running' then
         redis.call('HSET', KEYS[1], 'state', ARGV[1])
         if ARGV[1] == 'running' then redis.call('HSETNX', KEYS[1], 'startedAt', ARGV[2]) end
         for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
         return 1
       end
       return 0`,
      1,
      this.key(id),
      to,
      new Date().toISOString(),
      ...Object.entries(serialize(fields)).flat(),
    );
    return Number(result) === 1;
  }

  /** Queues the results and counters of one batch on a MULTI (committed with its writes). */
  recordBatch(
    tx: ChainableCommander,
    id: string,
    batch: number,
    results: readonly JobUserResult[],
    counts: { outOfSync: number },
  ): void {
    if (results.length > 0) {
      tx.hset(
        this.key(id, 'results'),
        Object.fromEntries(results.map((result) => [result.userId, JSON.stringify(result)])),
      );
    }
    // the few that matter, kept apart so the page's view never scans every healthy user
    const flagged = results.filter(isFlagged);
    if (flagged.length > 0) {
      tx.hset(
        this.key(id, 'flagged'),
        Object.fromEntries(flagged.map((result) => [result.userId, JSON.stringify(result)])),
      );
    }
    const codes = new Map<string, number>();
    for (const result of results)
      for (const code of new Set(result.problems)) codes.set(code, (codes.get(code) ?? 0) + 1);
    for (const [code, count] of codes) tx.hincrby(this.key(id, 'codes'), code, count);
    const tally = new Map<string, number>();
    for (const result of results) tally.set(tallyBucket(result), (tally.get(tallyBucket(result)) ?? 0) + 1);
    for (const [bucket, count] of tally) tx.hincrby(this.key(id, 'tally'), bucket, count);
    tx.hincrby(this.key(id), 'done', results.length);
    tx.hincrby(this.key(id), 'failed', results.filter((result) => result.outcome === 'failed').length);
    tx.hincrby(this.key(id), 'withProblems', results.filter((result) => result.problems.length > 0).length);
    tx.hincrby(this.key(id), 'outOfSync', counts.outOfSync);
    tx.set(this.key(id, `batch-done:${batch}`), '1', 'EX', JOB_RETENTION_SECONDS);
    tx.hincrby(this.key(id), 'batchesDone', 1);
  }

  /** The session-sweep's one result for a session, counted once however often it is offered. */
  async recordSessionResult(id: string, result: JobSessionResult): Promise<boolean> {
    const added = await this.redis.eval(
      `if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
       redis.call('HINCRBY', KEYS[1], 'done', 1)
       if ARGV[3] == 'failed' then redis.call('HINCRBY', KEYS[1], 'failed', 1) end
       redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
       redis.call('HINCRBY', KEYS[4], ARGV[5], 1)
       return 1`,
      4,
      this.key(id),
      this.key(id, 'session-results'),
      this.key(id, 'codes'),
      this.key(id, 'tally'),
      result.sessionId,
      JSON.stringify(result),
      result.outcome,
      result.code,
      tallyBucket(result),
    );
    return Number(added) === 1;
  }

  async hasSessionResult(id: string, sessionId: string): Promise<boolean> {
    return (await this.redis.hexists(this.key(id, 'session-results'), sessionId)) === 1;
  }

  /** A session-sweep's results, sorted by session id, at most `limit` (HSCAN: never blocks Redis). */
  async sessionResults(id: string, limit: number, code?: string): Promise<JobSessionResult[]> {
    const picked: JobSessionResult[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.key(id, 'session-results'), cursor, 'COUNT', 500);
      cursor = next;
      for (let i = 1; i < flat.length; i += 2) {
        const result = jobSessionResultSchema.parse(JSON.parse(flat[i] as string));
        if (!code || result.code === code) picked.push(result);
      }
    } while (cursor !== '0' && picked.length < limit);
    return picked.sort((a, b) => a.sessionId.localeCompare(b.sessionId)).slice(0, limit);
  }

  /** A counting hash of the job (`codes`: results by problem code; `tally`: by `tallyBucket`). */
  async counts(id: string, which: 'codes' | 'tally'): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.key(id, which));
    return Object.fromEntries(Object.entries(raw).map(([name, count]) => [name, Number(count)]));
  }

  /** One user's (or, for a session sweep, one session's) result; null when the job has none. */
  async result(record: JobRecord, target: string): Promise<JobUserResult | JobSessionResult | null> {
    const sessions = record.type === 'session-sweep';
    const raw = await this.redis.hget(this.key(record.id, sessions ? 'session-results' : 'results'), target);
    if (raw === null) return null;
    return (sessions ? jobSessionResultSchema : jobUserResultSchema).parse(JSON.parse(raw));
  }

  /** Every result (or only the flagged ones), a page at a time: HSCAN never blocks Redis on a big job. */
  async *results(id: string, which: 'results' | 'flagged' = 'results'): AsyncGenerator<JobUserResult[]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.key(id, which), cursor, 'COUNT', 500);
      cursor = next;
      const page: JobUserResult[] = [];
      for (let i = 1; i < flat.length; i += 2)
        page.push(jobUserResultSchema.parse(JSON.parse(flat[i] as string)));
      if (page.length > 0) yield page;
    } while (cursor !== '0');
  }

  async view(
    record: JobRecord,
    options: { results?: { limit: number; problem?: string } } = {},
  ): Promise<JobView> {
    const [byCode, tally] = await Promise.all([
      this.counts(record.id, 'codes'),
      this.counts(record.id, 'tally'),
    ]);
    const view: JobView = {
      id: record.id,
      type: record.type,
      state: record.state,
      phase: record.phase,
      progress: { done: record.done, total: record.total, failed: record.failed },
      actor: record.actor,
      actorName: record.actorName ?? null,
      createdAt: record.createdAt,
      startedAt: record.startedAt ?? null,
      finishedAt: record.finishedAt,
      summary: { withProblems: record.withProblems, byCode },
      tally,
      error: record.error,
    };
    if (record.type === 'session-sweep') {
      view.sessionSweep = {
        action: record.action ?? 'report',
        since: record.since ?? '',
        checked: record.checked,
      };
      if (options.results) {
        const { limit, problem } = options.results;
        view.sessionResults = await this.sessionResults(record.id, limit, problem);
      }
      return view;
    }
    if (options.results) {
      const { limit, problem } = options.results;
      const picked: JobUserResult[] = [];
      for await (const page of this.results(record.id, 'flagged')) {
        for (const result of page) {
          if (!problem || result.problems.includes(problem)) picked.push(result);
        }
        if (picked.length >= limit) break;
      }
      view.results = picked.sort((a, b) => a.userId.localeCompare(b.userId)).slice(0, limit);
    }
    return view;
  }

  /** Cuts the job's users into its batches, stored so a plan step run again finds them: how many. */
  async saveBatches(id: string, userIds: readonly string[], size: number): Promise<number> {
    const batches = Math.ceil(userIds.length / size);
    const tx = this.redis.multi();
    for (let index = 0; index < batches; index += 1) {
      tx.set(this.key(id, `batch:${index}`), JSON.stringify(userIds.slice(index * size, (index + 1) * size)));
    }
    tx.hset(this.key(id), { total: String(userIds.length), batches: String(batches), phase: 'processing' });
    await tx.exec();
    return batches;
  }

  async batchUsers(id: string, batch: number): Promise<string[]> {
    return JSON.parse((await this.redis.get(this.key(id, `batch:${batch}`))) ?? '[]') as string[];
  }

  /** After the end: drop what only the run needed, keep the record and results for a while. */
  async retire(id: string, parts: readonly string[]): Promise<void> {
    const tx = this.redis.multi();
    tx.del(...parts.map((part) => this.key(id, part)));
    for (const part of [
      '',
      'results',
      'flagged',
      'codes',
      'tally',
      'input',
      'plan-sessions',
      'cancel',
      'session-results',
    ]) {
      tx.expire(part ? this.key(id, part) : this.key(id), JOB_RETENTION_SECONDS);
    }
    await tx.exec();
  }
}

/** What the Jobs page lists: users with problems, failures, and every user a refresh changed. */
const isFlagged = (result: JobUserResult) =>
  result.problems.length > 0 || result.outcome === 'failed' || (result.changedKeys?.length ?? 0) > 0;

/** What only a run needs (collected facts, cursors, batch lists): dropped when it ends. */
export const RUN_PARTS = [
  'clerk',
  'stripe',
  'stripe-user',
  'stripe-email',
  'part-cursor',
  'parts-done',
  'parts',
  'session-found',
];
/** Collected facts outlive a run that never ends (a crash with no worker left) by this much at most. */
export const RUN_DATA_TTL_SECONDS = 24 * 3600;

const NUMBER_FIELDS = new Set([
  'total',
  'done',
  'failed',
  'withProblems',
  'outOfSync',
  'batches',
  'batchesDone',
  'partsTotal',
  'batchSize',
  'checked',
]);

function serialize(record: Partial<JobRecord>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record)
      .filter(([, value]) => value !== undefined)
      .map(([field, value]) => [field, value === null ? '' : String(value)]),
  );
}

function deserialize(raw: Record<string, string>): JobRecord {
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw)) {
    record[field] = NUMBER_FIELDS.has(field) ? Number(value) : value === '' ? null : value;
  }
  for (const field of NUMBER_FIELDS) record[field] ??= 0;
  record.finishedAt ??= null;
  record.error ??= null;
  record.action ??= null;
  record.since ??= null;
  return record as unknown as JobRecord;
}

/** Who a job acts as: the staff member who started it. */
export const jobActor = (record: JobRecord): Staff => ({
  id: record.actor,
  name: record.actorName ?? record.actor,
  role: record.role,
});
