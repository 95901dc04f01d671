import { TREND_RANGE_MS, TREND_RANGES, trendRangeSchema } from '@cache-doctor/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/middleware';
import { validate } from '../lib/validate';
import { readAttention, readTrend } from '../services/attention';
import type { Services } from '../services/container';

/** `GET /api/attention` (SPEC §6.2) and the problems trend of the Metrics page. */
export const attentionRoutes = (services: Services) =>
  new Hono<AppEnv>()
    .get(
      '/',
      validate(
        'query',
        z.object({
          problem: z
            .string()
            .regex(/^[A-Z_]{1,64}$/, 'a problem code, e.g. MAPPING_MISSING')
            .optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z
            .string()
            .regex(/^\d{1,9}$/, 'a cursor from the previous page')
            .optional(),
        }),
      ),
      async (c) => c.json(await readAttention(services, c.req.valid('query'))),
    )
    .get(
      '/trend',
      validate('query', z.object({ range: trendRangeSchema.default(TREND_RANGES[0]) })),
      async (c) => c.json(await readTrend(services, TREND_RANGE_MS[c.req.valid('query').range])),
    );
