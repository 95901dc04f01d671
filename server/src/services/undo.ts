import { type AuditEntry, can, type Staff } from '@cache-doctor/shared';
import type { PlannedWrite } from '../adapters/atomic-write';
import { HttpError } from '../lib/http-error';
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
 */
export async function undoAuditEntry(services: Services, auditId: string, staff: Staff) {
  const entry = await services.audit.get(auditId);
  if (!entry) throw new HttpError(404, 'AUDIT_ENTRY_NOT_FOUND', `No audit entry ${auditId}.`);
  if (!can(staff.role, 'undo:any') && entry.actor !== staff.id) {
    throw new HttpError(403, 'FORBIDDEN', `Only an admin may undo ${entry.actorName ?? entry.actor}'s change.`);
  }
  if (entry.result !== 'applied' || entry.undoneBy || Object.keys(entry.after).length === 0) {
    const why = entry.undoneBy ? `it was already undone by ${entry.undoneBy}` : `it is ${entry.result}`;
    throw new HttpError(409, 'NOT_UNDOABLE', `Audit entry ${auditId} cannot be undone: ${why}.`);
  }
  const now = Date.now();
  const plan: PlannedWrite[] = Object.entries(entry.after).map(([key, after]) => ({
    key,
    before: after,
    after: entry.before[key] ?? null,
    ttlSeconds: restoredTtl(entry.ttlBefore?.[key], entry.at, now),
  }));
  const undoId = services.audit.newId(now);
  const undone: AuditEntry = { ...entry, undoneBy: undoId };
  const result = await services.writer.commit(
    plan,
    {
      id: undoId,
      at: new Date(now).toISOString(),
      actor: staff.name,
      role: staff.role,
      action: 'undo',
      target: entry.target,
      result: 'applied',
      undoOf: entry.id,
      message: `Undid ${entry.action} of ${entry.target} (${entry.id}).`,
    },
    [undone],
  );
  if (result.kind === 'stale') {
    throw new HttpError(
      409,
      'UNDO_CONFLICT',
      'These keys changed after that action, so undoing it would overwrite newer data. Nothing was written.',
      { expected: entry.after, current: result.current },
    );
  }
  return { auditId: undoId, restored: plan.map((write) => write.key) };
}
