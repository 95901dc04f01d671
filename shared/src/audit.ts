import { z } from 'zod';
import { roleSchema } from './roles';

/** Key → raw string value as stored in Redis (null: the key did not exist). */
export const keyImagesSchema = z.record(z.string(), z.string().nullable());
export type KeyImages = z.infer<typeof keyImagesSchema>;

export const AUDIT_RESULTS = ['applied', 'failed', 'undone', 'refused'] as const;

/**
 * One audited action (SPEC §3, §6.4). `before` holds every touched key's before-image so the
 * action can be undone exactly; `after` what the action left, so undo can tell if anyone wrote since.
 */
export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  /** the staff id (SPEC §8): what "undo own" compares; never a display name */
  actor: z.string(),
  /** the actor's display name when the entry was written, to show beside the id */
  actorName: z.string().optional(),
  role: roleSchema,
  action: z.string(),
  target: z.string(),
  before: keyImagesSchema,
  after: keyImagesSchema,
  result: z.enum(AUDIT_RESULTS),
  /** TTLs in seconds the keys had before (-1: none), so undo restores expiry too. */
  ttlBefore: z.record(z.string(), z.number()).optional(),
  message: z.string().optional(),
  undoOf: z.string().optional(),
  /** the job that wrote it (a batch of a rebuild or bulk refresh, a session sweep's repair) */
  jobId: z.string().optional(),
  undoneBy: z.string().optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
