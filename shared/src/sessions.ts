import { z } from 'zod';

export const WEBHOOK_STATUSES = ['pending', 'processing', 'completed', 'error'] as const;
export const webhookStatusSchema = z.enum(WEBHOOK_STATUSES);
export type WebhookStatus = z.infer<typeof webhookStatusSchema>;

/** Three-key layout (older), SPEC §1.2. */
export const promptRecordSchema = z.looseObject({ prompt: z.string(), timestamp: z.string().optional() });
export type PromptRecord = z.infer<typeof promptRecordSchema>;

export const webhookRecordSchema = z.looseObject({
  status: webhookStatusSchema,
  fileId: z.string().optional(),
  error: z.string().optional(),
  timestamp: z.string().optional(),
  toolSlug: z.string().optional(),
  toolTitle: z.string().optional(),
});
export type WebhookRecord = z.infer<typeof webhookRecordSchema>;

export const threeKeySessionRecordSchema = z.looseObject({
  fileId: z.string().optional(),
  timestamp: z.string().optional(),
});

/** Session-only layout (current). `status` is absent when the webhook update was dropped. */
export const sessionOnlyRecordSchema = z.looseObject({
  prompt: z.string(),
  videoCount: z.number().optional(),
  duration: z.union([z.number(), z.string()]).optional(),
  resolution: z.string().optional(),
  style: z.string().optional(),
  toolSlug: z.string().optional(),
  toolTitle: z.string().optional(),
  createdAt: z.string().optional(),
  status: webhookStatusSchema.optional(),
  fileId: z.string().optional(),
  error: z.string().optional(),
  timestamp: z.string().optional(),
});
export type SessionOnlyRecord = z.infer<typeof sessionOnlyRecordSchema>;

export const SESSION_LAYOUTS = ['three-key', 'session-only'] as const;
export type SessionLayout = (typeof SESSION_LAYOUTS)[number];

/** The status Fix session writes (SPEC §3), word for word. */
export const FIX_SESSION_ERROR_MESSAGE =
  'Webhook processing failed - payment completed but generation not started';
