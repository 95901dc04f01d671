import {
  FIX_SESSION_ERROR_MESSAGE,
  type PlannedWrite,
  SESSION_TTL_SECONDS,
  type SessionLayout,
  type WebhookStatus,
} from '@cache-doctor/shared';
import { type KeyIssue, readSession, type SessionRecord } from './session-record';
import {
  isPresent,
  type JsonObject,
  type KeyState,
  rawString,
  type SessionSnapshot,
} from './session-snapshot';

/**
 * Repairs of session records (SPEC §3), planned as exact key writes for the atomic writer: each
 * write carries the raw value it was planned from, so a concurrent change makes the commit stale
 * instead of being overwritten.
 */
export type SessionWrite = PlannedWrite & {
  /** a session repair always writes a value (merged into what is there) ... */
  after: string;
  /** ... and gives it a TTL (the key's own, or the app's 30 days) */
  ttlSeconds: number;
};

/** The status fields a plan puts in place. */
export interface WrittenStatus {
  status: WebhookStatus;
  timestamp: string;
  fileId?: string;
  error?: string;
}

export type SessionPlan =
  | { kind: 'writes'; writes: SessionWrite[]; written: WrittenStatus }
  /** Fix session only: a status arrived (maybe meanwhile); it is never overwritten (409). */
  | { kind: 'status-exists'; status: WebhookStatus }
  /** Fix session only: no key of the session exists, so there is no session to repair. */
  | { kind: 'not-found' }
  /** a value is unreadable; merging into it would destroy what it holds */
  | { kind: 'malformed'; issues: KeyIssue[] };

/**
 * Keep the key's remaining TTL. A key being created gets the app's 30 days; so does one that
 * never expires, because every session record the app writes expires and a repair should leave a
 * record as the app would (otherwise repaired sessions would pile up in Redis for ever). Redis
 * rejects `EX 0`, so a key in its last second keeps one.
 */
export function ttlForWrite(state: KeyState): number {
  if (!isPresent(state) || state.ttl < 0) return SESSION_TTL_SECONDS;
  return Math.max(1, state.ttl);
}

/** Merges into what the key holds: every field stays, the patch's fields are set. */
function mergeWrite(state: KeyState, current: JsonObject | null, patch: JsonObject): SessionWrite {
  return {
    key: state.key,
    before: rawString(state),
    after: JSON.stringify({ ...current, ...patch }),
    ttlSeconds: ttlForWrite(state),
  };
}

/**
 * An `error` belongs to the status that had it: a later status without one (a new generation
 * `processing`) must not sit beside the old failure's message, which no longer applies.
 */
function withoutStaleError(current: JsonObject | null, written: WrittenStatus): JsonObject | null {
  if (!current || written.error !== undefined || !('error' in current)) return current;
  const { error: _stale, ...rest } = current;
  return rest;
}

/**
 * The status record (`webhook:` or the session-only `session:`) gets the status; in the three-key
 * layout the `session:` lookup gets `lookupPatch` too, as the app writes it beside the status.
 */
function planStatus(record: SessionRecord, written: WrittenStatus, lookupPatch: JsonObject): SessionPlan {
  if (record.issues.length > 0) return { kind: 'malformed', issues: record.issues };
  const writes = [
    mergeWrite(record.statusKey, withoutStaleError(record.statusRecord, written), { ...written }),
  ];
  if (record.lookupKey) writes.push(mergeWrite(record.lookupKey, record.lookupRecord, lookupPatch));
  return { kind: 'writes', writes, written };
}

/**
 * Fix session (SPEC §3): records the error status so the user sees what happened, only when no
 * status exists. Three-key: creates `webhook:` and merges `timestamp` into `session:` (created if
 * missing); session-only: merges the status fields into `session:`. Nothing is ever replaced.
 * The caller checks the diagnosis offers 'fix-session' (it is not offered for an unpaid session).
 */
export function planFixSession(snapshot: SessionSnapshot, layout: SessionLayout, now: Date): SessionPlan {
  const record = readSession(snapshot, layout);
  if (record.issues.length > 0) return { kind: 'malformed', issues: record.issues };
  if (record.status !== null) return { kind: 'status-exists', status: record.status };
  if (!record.present) return { kind: 'not-found' };
  const timestamp = now.toISOString();
  return planStatus(record, { status: 'error', error: FIX_SESSION_ERROR_MESSAGE, timestamp }, { timestamp });
}

/**
 * After the generation API accepted the request: `processing` with its id as `fileId`. In the
 * three-key layout the `session:` lookup gets the `fileId` too, since that is what it maps the
 * session to.
 */
export function planGenerationRecord(
  snapshot: SessionSnapshot,
  layout: SessionLayout,
  generation: { fileId: string; now: Date },
): SessionPlan {
  const timestamp = generation.now.toISOString();
  const { fileId } = generation;
  const record = readSession(snapshot, layout);
  return planStatus(record, { status: 'processing', fileId, timestamp }, { fileId, timestamp });
}

/** After the generation API refused: `error` with its message, so the user sees why. */
export function planGenerationFailure(
  snapshot: SessionSnapshot,
  layout: SessionLayout,
  failure: { message: string; now: Date },
): SessionPlan {
  const timestamp = failure.now.toISOString();
  const record = readSession(snapshot, layout);
  return planStatus(record, { status: 'error', error: failure.message, timestamp }, { timestamp });
}
