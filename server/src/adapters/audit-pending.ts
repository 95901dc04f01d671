import { auditEntrySchema } from '@cache-doctor/shared';
import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import { type Keys, OWN_KEYS } from '../keys';
import { isRedisUnavailable } from './redis';

/** Longer than any reconciliation waits: a marker outlives the pending entry it proves. */
export const APPLIED_MARKER_TTL_SECONDS = 7 * 24 * 3600;

/**
 * An audit entry whose writes are on their way to the app's Redis: the entry as it will be shown,
 * the entries it updates (an undo's reverted entry), and the commit's deadline guard in the app's
 * Redis, whose absence says the writes can no longer land.
 */
const pendingRecordSchema = z.object({
  entry: auditEntrySchema,
  alsoRecord: z.array(auditEntrySchema),
  deadlineKey: z.string(),
});
export type PendingRecord = z.infer<typeof pendingRecordSchema>;

/** Where the audit log keeps an entry: its JSON value, and its place in the sorted index. */
export interface LogKeys {
  indexKey: string;
  entryKey(id: string): string;
}

/**
 * Settles one pending record only while it is still pending: the writer's step 3 and a
 * reconciliation may both try, and a second, late settling must not overwrite an entry that was
 * changed since (an undo sets its `undoneBy`). KEYS: record, pending index, log index, then each
 * entry's key; ARGV: the record's id, then id and JSON of each entry, in the same order.
 */
const SETTLE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 4, #KEYS do
  redis.call('SET', KEYS[i], ARGV[(i - 4) * 2 + 3])
  redis.call('ZADD', KEYS[3], 0, ARGV[(i - 4) * 2 + 2])
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

/**
 * The audit log's half of a write across two Redis servers (docs/decisions, "own Redis"): when
 * Cache Doctor's own data lives apart from the app's cache, no MULTI can hold both the writes and
 * their audit entry. So the entry is first kept here as pending (own Redis), the writes commit in
 * the app's Redis together with an applied-marker, and then the entry is settled into the log.
 * A pending entry is never shown. One left by a crash or a lost answer is decided by `reconcile`
 * (run before every read of the log): marker present → the writes landed, settle it; marker and
 * deadline guard both gone → they never will, drop it; else the commit is still in flight.
 */
export class PendingAudit {
  private readonly indexKey: string;

  constructor(
    private readonly own: Redis,
    private readonly app: Redis,
    private readonly keys: Keys,
    private readonly log: LogKeys,
  ) {
    this.indexKey = keys.own(OWN_KEYS.auditPendingIndex);
  }

  private recordKey(id: string): string {
    return this.keys.own(`${OWN_KEYS.auditPending}${id}`);
  }

  markerKey(id: string): string {
    return this.keys.own(`${OWN_KEYS.appliedMarker}${id}`);
  }

  /** Step 1, before the app's MULTI: the entry is kept, unseen, until its writes are known. */
  async open(record: PendingRecord): Promise<void> {
    await this.own
      .multi()
      .set(this.recordKey(record.entry.id), JSON.stringify(record))
      .zadd(this.indexKey, Date.now(), record.entry.id)
      .exec();
  }

  /** Step 2, on the app's MULTI: the proof that the writes of entry `id` landed. */
  markApplied(transaction: ChainableCommander, id: string): void {
    transaction.set(this.markerKey(id), '1', 'EX', APPLIED_MARKER_TTL_SECONDS);
  }

  /**
   * Step 3, queued on an own MULTI: the entry (and those it updates) into the log and the pending
   * one gone — unless it was settled or dropped already, which leaves the log as it is.
   */
  settleOn(transaction: ChainableCommander, record: PendingRecord): void {
    const entries = [record.entry, ...record.alsoRecord];
    transaction.eval(
      SETTLE_SCRIPT,
      3 + entries.length,
      this.recordKey(record.entry.id),
      this.indexKey,
      this.log.indexKey,
      ...entries.map((entry) => this.log.entryKey(entry.id)),
      record.entry.id,
      ...entries.flatMap((entry) => [entry.id, JSON.stringify(entry)]),
    );
  }

  async settle(record: PendingRecord): Promise<void> {
    const transaction = this.own.multi();
    this.settleOn(transaction, record);
    await transaction.exec();
  }

  /** The app's MULTI did not run: nothing was written, so there is nothing to record. */
  async drop(id: string): Promise<void> {
    await this.own.multi().del(this.recordKey(id)).zrem(this.indexKey, id).exec();
  }

  /**
   * Decides every pending entry it can. While the app's Redis does not answer nothing is decided
   * (the entries stay unseen); the next read tries again.
   */
  async reconcile(): Promise<void> {
    const ids = await this.own.zrange(this.indexKey, 0, -1);
    if (ids.length === 0) return;
    const raws = await this.own.mget(ids.map((id) => this.recordKey(id)));
    const records = raws.flatMap((raw) => (raw === null ? [] : [pendingRecordSchema.parse(JSON.parse(raw))]));
    const gone = ids.filter((_, index) => raws[index] === null);
    if (gone.length > 0) await this.own.zrem(this.indexKey, ...gone);
    if (records.length === 0) return;
    let proofs: (string | null)[];
    try {
      // one MGET: the marker and the guard are read at one instant, so no commit lands between them
      proofs = await this.app.mget(
        records.flatMap((record) => [this.markerKey(record.entry.id), record.deadlineKey]),
      );
    } catch (error) {
      if (error instanceof Error && isRedisUnavailable(error)) return;
      throw error;
    }
    await Promise.all(
      records.map((record, index) => {
        const [marker, deadline] = [proofs[index * 2], proofs[index * 2 + 1]];
        if (marker !== null) return this.settle(record);
        // the guard is deleted by the MULTI that sets the marker, or expires: past it EXEC aborts
        if (deadline === null) return this.drop(record.entry.id);
        return undefined;
      }),
    );
  }
}
