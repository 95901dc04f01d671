import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/middleware';
import { validate } from '../lib/validate';
import type { Services } from '../services/container';
import { listRecentPrompts, MAX_PROMPT_PAGE, readPromptStats } from '../services/prompts';

const promptsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PROMPT_PAGE).default(25),
  cursor: z
    .string()
    .max(1000)
    .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor this server handed out')
    .optional(),
});

/** SPEC §6.3: recent prompts and the prompt statistics. */
export const promptRoutes = (services: Services) =>
  new Hono<AppEnv>()
    .get('/prompts', validate('query', promptsQuery), async (c) =>
      c.json(await listRecentPrompts(services, c.req.valid('query'))),
    )
    .get('/stats', async (c) => c.json(await readPromptStats(services)));
