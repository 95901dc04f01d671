import { randomBytes } from 'node:crypto';
import { type AuditEntry, auditEntrySchema, type Staff } from '@cache-doctor/shared';
import type { ChainableCommander, Redis } from 'ioredis';
import { type Keys, OWN_KEYS } from '../keys';
import { PendingAudit } from './audit-pending';

export interface AuditPage {
  entries: AuditEntry[];
  /** pass back as `cursor` for the next (older) page; null when there is none */
  cursor: string | null;
}

/** An audit entry before the writer fills in the images of the keys it wrote. */
export type AuditDraft = Omit<AuditEntry, 'before' | 'after' | 'ttlBefore'>;

/** What an action says about itself; the actor, the time and the id are added by `draft`. */
export interface AuditFacts {
  action: string;
  target: string;
  message: string;
  result?: AuditEntry['result'];
  undoOf?: string;
  /** the job whose batch or session repair this is (the Audit log page links to it) */
  jobId?: string;
}

export interface AuditQuery {
  limit: number;
  cursor?: string | undefined;
  actor?: string | undefined;
  target?: string | undefined;
}

/**
 * The audit log lives in Cache Doctor's own keys: one JSON value per entry and a sorted set of
 * ids. Ids start with the time in fixed-width base 36, so lexical order is time order and a page
 * cursor is simply the last id seen (stable while new entries arrive).
 *
 * `redis` is the own store. When the app's cache is another Redis (`app`), entries go through
 * `pending` (adapters/audit-pending.ts), and every read first decides the pending ones it can.
 */
export class AuditLog {
  private readonly indexKey: string;
  /** null when the app's keys and the audit log share one Redis (one MULTI holds both) */
  readonly pending: PendingAudit | null;

  constructor(
    private readonly redis: Redis,
    readonly keys: Keys,
    app: Redis = redis,
  ) {
    this.indexKey = keys.own(OWN_KEYS.auditIndex);
    this.pending =
      app === redis
        ? null
        : new PendingAudit(redis, app, keys, {
            indexKey: this.indexKey,
            entryKey: (id) => this.entryKey(id),
          });
  }

  /** Settles or drops entries a crash left pending (a no-op with one Redis); reads do it first. */
  async reconcile(): Promise<void> {
    await this.pending?.reconcile();
  }

  newId(now = Date.now()): string {
    return `${now.toString(36).padStart(10, '0')}${randomBytes(6).toString('hex')}`;
  }

  /**
   * This log, with every draft naming the job that writes it: a job hands it to the single-target
   * repairs it runs (Fix session, Generate video), so their entries link back to the job.
   */
  forJob(jobId: string): AuditLog {
    const log: AuditLog = Object.create(this);
    log.draft = (actor, facts, now) => this.draft(actor, { ...facts, jobId }, now);
    return log;
  }

  /** The one builder of audit entries: who did what to which target, with a fresh time-ordered id. */
  draft(actor: Staff, facts: AuditFacts, now = Date.now()): AuditDraft {
    return {
      id: this.newId(now),
      at: new Date(now).toISOString(),
      actor: actor.id,
      actorName: actor.name,
      role: actor.role,
      result: 'applied',
      ...facts,
    };
  }

  private entryKey(id: string): string {
    return this.keys.own(`${OWN_KEYS.auditEntry}${id}`);
  }

  /** Queues the entry on a MULTI so it commits atomically with the change it records. */
  appendTo(transaction: ChainableCommander, entry: AuditEntry): void {
    transaction.set(this.entryKey(entry.id), JSON.stringify(entry));
    transaction.zadd(this.indexKey, 0, entry.id);
  }

  async record(entry: AuditEntry): Promise<void> {
    const transaction = this.redis.multi();
    this.appendTo(transaction, entry);
    await transaction.exec();
  }

  async get(id: string): Promise<AuditEntry | null> {
    await this.reconcile();
    const raw = await this.redis.get(this.entryKey(id));
    return raw === null ? null : auditEntrySchema.parse(JSON.parse(raw));
  }

  /** Every entry written since `since` (ms): ids start with their time, so this is one range read. */
  async since(since: number): Promise<AuditEntry[]> {
    await this.reconcile();
    const ids = await this.redis.zrangebylex(this.indexKey, `[${since.toString(36).padStart(10, '0')}`, '+');
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.entryKey(id)));
    return values
      .filter((raw): raw is string => raw !== null)
      .map((raw) => auditEntrySchema.parse(JSON.parse(raw)));
  }

  /** Newest first. Filters apply while paging, so a filtered page may scan several index pages. */
  async list(query: AuditQuery): Promise<AuditPage> {
    await this.reconcile();
    const entries: AuditEntry[] = [];
    let upper = query.cursor ? `(${query.cursor}` : '+';
    const batch = Math.max(query.limit, 50);
    const matches = (entry: AuditEntry) =>
      (!query.actor || entry.actor === query.actor) && (!query.target || entry.target.includes(query.target));
    for (;;) {
      const ids = await this.redis.zrevrangebylex(this.indexKey, upper, '-', 'LIMIT', 0, batch);
      if (ids.length === 0) return { entries, cursor: null };
      const values = await this.redis.mget(ids.map((id) => this.entryKey(id)));
      for (const [index, raw] of values.entries()) {
        if (raw === null) continue;
        const entry = auditEntrySchema.parse(JSON.parse(raw));
        if (!matches(entry)) continue;
        entries.push(entry);
        if (entries.length === query.limit) {
          const hasMore = index < ids.length - 1 || ids.length === batch;
          return { entries, cursor: hasMore ? entry.id : null };
        }
      }
      if (ids.length < batch) return { entries, cursor: null };
      upper = `(${ids[ids.length - 1]}`;
    }
  }
}
