import type { AuditLog } from '../adapters/audit-log';
import type { JobRecord, JobStore } from './store';

/** One key a job's write touched for a user (or session): its raw value before and after. */
export interface ResultChange {
  key: string;
  before: string | null;
  after: string | null;
}

/**
 * What a job wrote for one user (or session), read from its batch's audit entry (issue #21: a
 * job's changes per user, the diff one click away). A refreshed user: the keys whose value changed
 * (the rest only had their expiry renewed); a repaired session: every key of its entry. Null when
 * the job has no result for the target or wrote nothing for it.
 */
export async function resultChanges(
  store: JobStore,
  audit: AuditLog,
  record: JobRecord,
  target: string,
): Promise<{ auditId: string; changes: ResultChange[] } | null> {
  const result = await store.result(record, target);
  if (!result?.auditId) return null;
  const entry = await audit.get(result.auditId);
  if (!entry) return null;
  const keys =
    'userId' in result
      ? (result.changedKeys ?? [])
      : [...new Set([...Object.keys(entry.before), ...Object.keys(entry.after)])];
  if (keys.length === 0) return null;
  return {
    auditId: entry.id,
    changes: keys
      .sort()
      .map((key) => ({ key, before: entry.before[key] ?? null, after: entry.after[key] ?? null })),
  };
}
