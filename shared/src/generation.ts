import { z } from 'zod';

/**
 * SPEC §6.3: what the generation API says about a session's started generation. `unknown` when it
 * could not be asked (not configured, down, no such file) or a start's outcome is unknown; then
 * `error` says why.
 */
export const GENERATION_STATES = ['running', 'completed', 'failed', 'unknown'] as const;

export const generationViewSchema = z.object({
  fileId: z.string(),
  state: z.enum(GENERATION_STATES),
  url: z.string().optional(),
  error: z.string().optional(),
  /** when Cache Doctor last asked the generation API (ISO) */
  checkedAt: z.string(),
});
export type GenerationView = z.infer<typeof generationViewSchema>;

/** A start whose answer never came (SPEC §3): the video may exist at the generation API. */
export const OUTCOME_UNKNOWN_TEXT = 'outcome unknown — the generation API may have started it';

/** `POST /api/sessions/:sessionId/generate` body. */
export const generateBodySchema = z.object({
  dryRun: z.boolean().optional(),
  planId: z.string().optional(),
  /** a new attempt although an earlier start's outcome is unknown (the second confirmation) */
  retryUnknown: z.boolean().optional(),
});
