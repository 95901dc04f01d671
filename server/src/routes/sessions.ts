import {
  confirmablePlanSchema,
  generateBodySchema,
  sessionIdSchema,
  unprocessedSessionsQuerySchema,
} from '@cache-doctor/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import { type AppEnv, requirePermission } from '../auth/middleware';
import { validate } from '../lib/validate';
import type { Services } from '../services/container';
import { fixSession, previewFix } from '../services/session-fix';
import { generateVideo, previewGenerate } from '../services/session-generate';
import { inspectSession } from '../services/session-inspect';
import { listUnprocessedSessions } from '../services/session-sweep';

const sessionParam = z.object({ sessionId: sessionIdSchema });

/** SPEC §6.3: paid sessions never processed; one checkout session — inspect, fix, generate. */
export const sessionRoutes = (services: Services) =>
  new Hono<AppEnv>()
    .get('/', validate('query', unprocessedSessionsQuerySchema), async (c) => {
      const { since, cursor } = c.req.valid('query');
      return c.json(await listUnprocessedSessions(services, { since, cursor }));
    })
    .get('/:sessionId', validate('param', sessionParam), async (c) =>
      c.json(await inspectSession(services, c.req.valid('param').sessionId)),
    )
    .post(
      '/:sessionId/fix',
      requirePermission('fix-session'),
      validate('param', sessionParam),
      validate('json', confirmablePlanSchema),
      async (c) => {
        const { sessionId } = c.req.valid('param');
        const { dryRun, planId } = c.req.valid('json');
        if (dryRun) return c.json(await previewFix(services, sessionId), 200);
        return c.json(await fixSession(services, sessionId, c.get('staff'), {}, planId), 200);
      },
    )
    .post(
      '/:sessionId/generate',
      requirePermission('generate'),
      validate('param', sessionParam),
      validate('json', generateBodySchema),
      async (c) => {
        const body = { data: c.req.valid('json') };
        const { sessionId } = c.req.valid('param');
        if (body.data.dryRun) return c.json(await previewGenerate(services, sessionId), 200);
        const result = await generateVideo(
          services,
          sessionId,
          c.get('staff'),
          {},
          {
            retryUnknown: body.data.retryUnknown === true,
            ...(body.data.planId !== undefined && { planId: body.data.planId }),
          },
        );
        return result.outcome === 'started' ? c.json(result, 202) : c.json(result, 200);
      },
    );
