import { z } from 'zod';

/**
 * One key's planned change: the one write shape of every repair (refresh, remove, fix, generate,
 * undo, job batches). The atomic writer commits it only while the key still holds `before`, and
 * the audit entry keeps `before` as the undo image.
 */
export const plannedWriteSchema = z.object({
  key: z.string(),
  /** the raw value the plan was computed from (null: the key did not exist) */
  before: z.string().nullable(),
  /** null deletes the key */
  after: z.string().nullable(),
  /** seconds; null keeps the key's current expiry (or none); 'persist' leaves it without expiry */
  ttlSeconds: z.union([z.number().int().positive(), z.null(), z.literal('persist')]),
});
export type PlannedWrite = z.infer<typeof plannedWriteSchema>;
