import type { Redis } from 'ioredis';
import { parseInfo, redisReady, withinCommandTimeout } from '../adapters/redis';

/** How Redis keeps (or does not keep) Cache Doctor's own data, as `/api/status` reports it. */
export interface OwnStoreReport {
  ok: boolean;
  /** `maxmemory-policy`; anything but `noeviction` may evict audit entries and BullMQ's jobs */
  evictionPolicy: string | null;
  evicts: boolean | null;
  /** `aof`, `rdb`, `aof+rdb`, `none`, or null when Redis would not say */
  persistence: string | null;
  persists: boolean | null;
  /** when the audit history was found gone (a marker key missing), and why */
  historyLost: { at: string; reason: string } | null;
  /** one sentence per problem, for the start-up log and the Status page */
  warnings: string[];
}

/** Stored in the marker key; survives exactly as long as the audit log beside it. */
interface StoreMarker {
  createdAt: string;
  runId: string;
  historyLost: { at: string; reason: string } | null;
}

/**
 * Cache Doctor's own data (audit log, metrics, jobs, policies; SPEC §1.3, §7) is only as durable
 * as the Redis holding it. This reads that Redis' eviction policy and persistence, and detects a
 * lost audit log: a marker key is written the first time; when a process that has seen the marker
 * finds it gone, everything beside it went too (a restart without persistence — Redis' `run_id`
 * changed — or a flush or eviction). The marker written then records the loss, so every process
 * and every later start says "audit history lost at …" instead of showing an empty history.
 *
 * A Redis that lost its data while no Cache Doctor process was running looks like a fresh one: no
 * process saw the old marker.
 */
export class OwnStore {
  private seen: StoreMarker | null = null;
  private lastRunId: string | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly markerKey: string,
    private readonly now: () => number = Date.now,
  ) {}

  async check(): Promise<OwnStoreReport> {
    const info = parseInfo(
      `${await this.redis.info('server')}\n${await this.redis.info('memory')}\n${await this.redis.info('persistence')}`,
    );
    const marker = await this.marker(info);
    const evictionPolicy = info.maxmemory_policy ?? null;
    const evicts = evictionPolicy === null ? null : evictionPolicy !== 'noeviction';
    const persistence = await this.persistence(info);
    const persists = persistence === null ? null : persistence !== 'none';
    const warnings: string[] = [];
    if (marker.historyLost)
      warnings.push(`Audit history lost at ${marker.historyLost.at}: ${marker.historyLost.reason}.`);
    if (evicts)
      warnings.push(
        `Redis evicts keys (maxmemory-policy ${evictionPolicy}): audit entries, metrics and jobs can disappear. Use noeviction for Cache Doctor's own data (OWN_REDIS_URL).`,
      );
    if (persists === false)
      warnings.push(
        'Redis persists nothing (no RDB snapshots, no AOF): a restart loses the audit log, metrics and jobs.',
      );
    return {
      ok: warnings.length === 0,
      evictionPolicy,
      evicts,
      persistence,
      persists,
      historyLost: marker.historyLost,
      warnings,
    };
  }

  /** Reads the marker; writes it when missing, recording a loss when this process had seen one. */
  private async marker(info: Record<string, string>): Promise<StoreMarker> {
    const runId = info.run_id ?? 'unknown';
    const raw = await this.redis.get(this.markerKey);
    if (raw !== null) {
      this.seen = JSON.parse(raw) as StoreMarker;
      this.lastRunId = runId;
      return this.seen;
    }
    const uptimeSeconds = Number(info.uptime_in_seconds ?? 0);
    const historyLost = this.seen
      ? this.lastRunId !== runId
        ? {
            at: new Date(this.now() - uptimeSeconds * 1000).toISOString(),
            reason: 'Redis restarted without keeping its data',
          }
        : {
            at: new Date(this.now()).toISOString(),
            reason: 'Redis lost the keys without restarting (flushed or evicted)',
          }
      : null;
    const fresh: StoreMarker = { createdAt: new Date(this.now()).toISOString(), runId, historyLost };
    // another process may have written it first: theirs stands
    const written = await this.redis.set(this.markerKey, JSON.stringify(fresh), 'NX');
    this.seen = written ? fresh : (JSON.parse((await this.redis.get(this.markerKey)) ?? 'null') ?? fresh);
    this.lastRunId = runId;
    return this.seen as StoreMarker;
  }

  /** AOF and RDB as configured; null when `CONFIG GET` is refused (managed Redis often does). */
  private async persistence(info: Record<string, string>): Promise<string | null> {
    const aof = info.aof_enabled === '1';
    let rdb: boolean;
    try {
      const [, save] = (await this.redis.config('GET', 'save')) as [string, string];
      rdb = save.trim() !== '';
    } catch {
      return aof ? 'aof' : null;
    }
    if (aof && rdb) return 'aof+rdb';
    return aof ? 'aof' : rdb ? 'rdb' : 'none';
  }
}

/** The start-up check: the store's warnings, or why it could not be checked. */
export async function ownStoreWarnings(redis: Redis, store: OwnStore): Promise<string[]> {
  try {
    await withinCommandTimeout(redis, redisReady(redis));
    return (await store.check()).warnings;
  } catch (error) {
    return [
      `could not check Redis' eviction and persistence: ${error instanceof Error ? error.message : error}`,
    ];
  }
}
