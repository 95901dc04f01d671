import { can, type PlannedWrite, type Staff } from '@cache-doctor/shared';
import { readValues } from '../adapters/key-values';
import { planId } from '../domain/plan-id';
import { AppError } from '../lib/app-error';
import { requireConfirmedPlan } from './confirmed-plan';
import type { Services } from './container';

/**
 * The TTL a key gets back: what it had left when the change was made, less the time since, so
 * an undo never makes a key outlive what the app gave it. -1 meant no expiry.
 */
function restoredTtl(
  ttlBefore: number | undefined,
  changedAt: string,
  now: number,
): PlannedWrite['ttlSeconds'] {
  if (ttlBefore === undefined || ttlBefore === -1) return 'persist';
  const elapsed = Math.floor((now - Date.parse(changedAt)) / 1000);
  return Math.max(1, ttlBefore - elapsed);
}

/**
 * `POST /api/audit/:id/undo` (SPEC §3): restores every key's before-image, but only while the keys
 * still hold exactly what the change left; otherwise 409 with both versions and nothing written.
 * Like every write it previews (`dryRun`) with a `planId` and applies only the plan confirmed.
 */
export async function undoAuditEntry(
  services: Services,
  auditId: string,
  staff: Staff,
  options: { dryRun?: boolean; planId?: string } = {},
) {
  const entry = await services.audit.get(auditId);
  if (!entry) throw new AppError('AUDIT_ENTRY_NOT_FOUND', `No audit entry ${auditId}.`);
  if (!can(staff.role, 'undo:any') && entry.actor !== staff.id) {
    throw new AppError('FORBIDDEN', `Only an admin may undo ${entry.actorName ?? entry.actor}'s change.`);
  }
  if (entry.result !== 'applied' || entry.undoneBy || Object.keys(entry.after).length === 0) {
    const why = entry.undoneBy ? `it was already undone by ${entry.undoneBy}` : `it is ${entry.result}`;
    throw new AppError('NOT_UNDOABLE', `Audit entry ${auditId} cannot be undone: ${why}.`);
  }
  const now = Date.now();
  const plan: PlannedWrite[] = Object.entries(entry.after).map(([key, after]) => ({
    key,
    before: after,
    after: entry.before[key] ?? null,
    ttlSeconds: restoredTtl(entry.ttlBefore?.[key], entry.at, now),
  }));
  // what each key holds now: the plan's before-values, so a later write changes its planId
  const current = await readValues(
    services.redis,
    plan.map((write) => write.key),
  );
  const shown = plan.map(({ key, after }) => ({
    key,
    before: current[key] ?? null,
    after,
    unchanged: current[key] === after,
  }));
  const preview = {
    plan: shown,
    planId: planId({ action: 'undo', target: entry.id, writes: shown }),
    // a key the change left as it was is only given its old expiry back: not counted as restored
    restored: shown.filter((write) => !write.unchanged).map((write) => write.key),
    applied: false,
    auditId: null as string | null,
  };
  requireConfirmedPlan(options.planId, preview);
  if (options.dryRun) {
    // a preview names a conflict as the apply would; the apply checks again inside its transaction
    if (plan.some((write) => current[write.key] !== write.before)) throw undoConflict(entry.after, current);
    return preview;
  }
  const audit = services.audit.draft(
    staff,
    {
      action: 'undo',
      target: entry.target,
      undoOf: entry.id,
      message: `Undid ${entry.action} of ${entry.target} (${entry.id}).`,
    },
    now,
  );
  const result = await services.writer.commit({
    writes: plan,
    audit,
    alsoRecord: [{ ...entry, undoneBy: audit.id }],
  });
  if (result.kind === 'stale') throw undoConflict(entry.after, result.current);
  return { ...preview, applied: true, auditId: audit.id };
}

const undoConflict = (expected: Record<string, string | null>, current: Record<string, string | null>) =>
  new AppError(
    'UNDO_CONFLICT',
    'These keys changed after that action, so undoing it would overwrite newer data. Nothing was written.',
    { expected, current },
  );
