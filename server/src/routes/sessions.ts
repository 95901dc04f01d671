import { sessionIdSchema, unprocessedSessionsQuerySchema } from '@cache-doctor/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import { type AppEnv, requirePermission } from '../auth/middleware';
import { validate } from '../lib/validate';
import type { Services } from '../services/container';
import { listUnprocessedSessions } from '../services/session-sweep';
import { fixSession, generateVideo, inspectSession } from '../services/sessions';

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
    .post('/:sessionId/fix', requirePermission('fix-session'), validate('param', sessionParam), async (c) =>
      c.json(await fixSession(services, c.req.valid('param').sessionId, c.get('staff')), 200),
    )
    .post(
      '/:sessionId/generate',
      requirePermission('generate'),
      validate('param', sessionParam),
      async (c) => {
        const result = await generateVideo(services, c.req.valid('param').sessionId, c.get('staff'));
        return result.outcome === 'started' ? c.json(result, 202) : c.json(result, 200);
      },
    );
