import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/middleware';
import { validate } from '../lib/validate';
import type { Services } from '../services/container';

const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^[0-9a-z]{10,40}$/)
    .optional(),
  actor: z.string().max(200).optional(),
  target: z.string().max(300).optional(),
});

export const auditRoutes = (services: Services) =>
  new Hono<AppEnv>().get('/', validate('query', auditQuerySchema), async (c) =>
    c.json(await services.audit.list(c.req.valid('query'))),
  );
