import {
  isPolicyActor,
  type PolicyAction,
  type PolicyName,
  type PolicyWouldDo,
  policyActionSchema,
  policyModeSchema,
} from '@cache-doctor/shared';
import type { ChainableCommander, Redis } from 'ioredis';
import {
  claimOf,
  countField,
  defaultPolicyState,
  HOUR_MS,
  type PolicyCandidate,
  type PolicyState,
  type SweptSessionFacts,
  WOULD_DO_RESULT,
} from '../domain/policies';
import { type Keys, POLICY_KEYS, valueOfKey } from '../keys';
import type { AuditLog } from './audit-log';

/**
 * Automatic repairs' own data in Redis (SPEC §1.3): each policy's state, its actions, its claims
 * on targets, the "Pause all" flag and what the sweeps left for the policies to act on.
 */

/** A claim lasts as long as a checkout session's records: one target, one problem, one action. */
const CLAIM_TTL_SECONDS = 30 * 86_400;
/** Actions kept per policy (the page shows the latest; the hour's count needs the hour's). */
const ACTIONS_KEPT = 500;
/** Hourly counts outlive the chart's longest range (7 days) by a day. */
const HOURLY_TTL_SECONDS = 8 * 86_400;

export interface PauseState {
  at: string;
  by: string;
}

export class PolicyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly demo: boolean,
  ) {}

  private key(name: string): string {
    return this.keys.own(name);
  }

  async state(name: PolicyName): Promise<PolicyState> {
    const fields = await this.redis.hgetall(this.key(`${POLICY_KEYS.state}${name}`));
    const defaults = defaultPolicyState(name, this.demo);
    const mode = policyModeSchema.safeParse(fields.mode);
    const number = (value: string | undefined, fallback: number) =>
      value !== undefined && Number.isFinite(Number(value)) ? Number(value) : fallback;
    return {
      mode: mode.success ? mode.data : defaults.mode,
      maxPerHour: number(fields.maxPerHour, defaults.maxPerHour),
      minAgeMs: number(fields.minAgeMs, defaults.minAgeMs),
      failuresInRow: number(fields.failuresInRow, 0),
      stopped:
        fields.stoppedAt && fields.stoppedReason
          ? { at: fields.stoppedAt, reason: fields.stoppedReason }
          : null,
    };
  }

  /** Sets the given fields only, so the runner's and an admin's writes never undo each other's. */
  writeState(tx: ChainableCommander | Redis, name: PolicyName, fields: Partial<PolicyState>): void {
    const key = this.key(`${POLICY_KEYS.state}${name}`);
    const flat: Record<string, string> = {};
    if (fields.mode !== undefined) flat.mode = fields.mode;
    if (fields.maxPerHour !== undefined) flat.maxPerHour = String(fields.maxPerHour);
    if (fields.minAgeMs !== undefined) flat.minAgeMs = String(fields.minAgeMs);
    if (fields.failuresInRow !== undefined) flat.failuresInRow = String(fields.failuresInRow);
    if (fields.stopped) {
      flat.stoppedAt = fields.stopped.at;
      flat.stoppedReason = fields.stopped.reason;
    }
    if (Object.keys(flat).length > 0) void tx.hset(key, flat);
    if (fields.stopped === null) void tx.hdel(key, 'stoppedAt', 'stoppedReason');
  }

  async saveState(name: PolicyName, fields: Partial<PolicyState>): Promise<void> {
    const tx = this.redis.multi();
    this.writeState(tx, name, fields);
    await tx.exec();
  }

  async paused(): Promise<PauseState | null> {
    const raw = await this.redis.get(this.key(POLICY_KEYS.paused));
    return raw ? (JSON.parse(raw) as PauseState) : null;
  }

  pauseKey(): string {
    return this.key(POLICY_KEYS.paused);
  }

  private hourKey(at: number): string {
    return this.key(`${POLICY_KEYS.hourly}${Math.floor(at / HOUR_MS) * HOUR_MS}`);
  }

  /** Counts `n` of a `policy result` in `at`'s hour (the chart's figures). */
  private countInHour(tx: ChainableCommander, name: PolicyName, result: string, n: number, at: number): void {
    const key = this.hourKey(at);
    tx.hincrby(key, countField(name, result), n).expire(key, HOURLY_TTL_SECONDS);
  }

  /** The action, its all-time count (the Prometheus series) and its hour's count, in one transaction. */
  async recordAction(name: PolicyName, action: PolicyAction, now = Date.now()): Promise<void> {
    const key = this.key(`${POLICY_KEYS.actions}${name}`);
    const tx = this.redis
      .multi()
      .zadd(key, now, JSON.stringify(action))
      .zremrangebyrank(key, 0, -ACTIONS_KEPT - 1)
      .hincrby(this.key(POLICY_KEYS.counts), countField(name, action.result), 1);
    this.countInHour(tx, name, action.result, 1, now);
    await tx.exec();
  }

  /** Each hour's `policy result` → count, in the order of `hours` (their starts, ms). */
  async hourlyCounts(hours: readonly number[]): Promise<Array<Record<string, number>>> {
    const pipeline = this.redis.pipeline();
    for (const hour of hours) pipeline.hgetall(this.hourKey(hour));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, fields]) => {
      if (error) throw error;
      return Object.fromEntries(
        Object.entries(fields as Record<string, string>).map(([field, value]) => [field, Number(value)]),
      );
    });
  }

  /** Newest first. */
  async lastActions(name: PolicyName, limit: number): Promise<PolicyAction[]> {
    const raw = await this.redis.zrevrange(this.key(`${POLICY_KEYS.actions}${name}`), 0, limit - 1);
    return raw.map((member) => policyActionSchema.parse(JSON.parse(member)));
  }

  /** Repairs tried in the last hour (applied or failed): what the hourly limit counts. */
  async actionsLastHour(name: PolicyName, now = Date.now()): Promise<number> {
    const raw = await this.redis.zrangebyscore(
      this.key(`${POLICY_KEYS.actions}${name}`),
      now - HOUR_MS,
      '+inf',
    );
    return raw.filter((member) => {
      const { result } = policyActionSchema.parse(JSON.parse(member));
      return result === 'applied' || result === 'failed';
    }).length;
  }

  /** `policy result` → count, for the Prometheus series. */
  async counts(): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.key(POLICY_KEYS.counts));
    return Object.fromEntries(Object.entries(raw).map(([field, value]) => [field, Number(value)]));
  }

  private claimKey(name: PolicyName, target: string, problem: string): string {
    return this.key(`${POLICY_KEYS.claim}${name}:${target}:${problem}`);
  }

  /** The `target problem` pairs among `candidates` this policy already acted on. */
  async claimed(name: PolicyName, candidates: readonly PolicyCandidate[]): Promise<Set<string>> {
    const pairs = candidates.flatMap((candidate) =>
      candidate.problems.map((problem) => [candidate.target, problem] as const),
    );
    if (pairs.length === 0) return new Set();
    const values = await this.redis.mget(
      pairs.map(([target, problem]) => this.claimKey(name, target, problem)),
    );
    return new Set(
      pairs.filter((_, index) => values[index] !== null).map(([target, problem]) => claimOf(target, problem)),
    );
  }

  /**
   * Claims a target's problems for one action (SET NX, in one transaction): true when this process
   * got the first of them, so two processes never both act on one target for one problem.
   */
  async claim(name: PolicyName, candidate: PolicyCandidate, at: string): Promise<boolean> {
    const tx = this.redis.multi();
    for (const problem of candidate.problems)
      tx.set(this.claimKey(name, candidate.target, problem), at, 'EX', CLAIM_TTL_SECONDS, 'NX');
    const results = (await tx.exec()) ?? [];
    return results[0]?.[1] === 'OK';
  }

  /** A dry run's list, and how many of its targets it listed first (counted in its hour). */
  async saveWouldDo(name: PolicyName, items: PolicyWouldDo[], at: Date, newly: number): Promise<void> {
    const tx = this.redis
      .multi()
      .set(this.key(`${POLICY_KEYS.wouldDo}${name}`), JSON.stringify({ at: at.toISOString(), items }));
    if (newly > 0) this.countInHour(tx, name, WOULD_DO_RESULT, newly, at.getTime());
    await tx.exec();
  }

  async wouldDo(name: PolicyName): Promise<{ at: string | null; items: PolicyWouldDo[] }> {
    const raw = await this.redis.get(this.key(`${POLICY_KEYS.wouldDo}${name}`));
    return raw ? (JSON.parse(raw) as { at: string; items: PolicyWouldDo[] }) : { at: null, items: [] };
  }

  async saveSweptSessions(sessions: readonly SweptSessionFacts[]): Promise<void> {
    await this.redis.set(this.key(POLICY_KEYS.sessionCandidates), JSON.stringify(sessions));
  }

  async sweptSessions(): Promise<SweptSessionFacts[]> {
    const raw = await this.redis.get(this.key(POLICY_KEYS.sessionCandidates));
    return raw ? (JSON.parse(raw) as SweptSessionFacts[]) : [];
  }

  runLockKey(): string {
    return this.key(POLICY_KEYS.runLock);
  }
}

/**
 * Targets (session or user ids) a person — not a policy — changed since `since` (ms), from the
 * audit log. A job's batch is audited under the job, so the users it wrote count by their keys.
 */
export async function changedByPeople(audit: AuditLog, keys: Keys, since: number): Promise<Set<string>> {
  const userOf = valueOfKey(keys.user);
  const changed = new Set<string>();
  for (const entry of await audit.since(since)) {
    if (isPolicyActor(entry.actor) || (entry.result !== 'applied' && entry.result !== 'undone')) continue;
    changed.add(entry.target);
    for (const key of Object.keys(entry.before)) {
      const userId = userOf(key);
      if (userId !== null) changed.add(userId);
    }
  }
  return changed;
}
