import { sessionIdSchema, userIdSchema } from '@cache-doctor/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/middleware';
import { validate } from '../lib/validate';
import type { Services } from '../services/container';
import { listUserSessions, sessionTimeline, userTimeline } from '../services/customer-story';

const userParam = validate('param', z.object({ userId: userIdSchema }));

/** The customer's purchases and timelines (SPEC §6.2). */
export const customerStoryRoutes = (services: Services) =>
  new Hono<AppEnv>()
    // Where "Open in Stripe" and "Open in Clerk" lead: Stripe's test or live dashboard by key mode
    .get('/dashboards', (c) =>
      c.json({
        stripe: `https://dashboard.stripe.com${services.stripe.mode === 'test' ? '/test' : ''}`,
        clerkUsers: services.config.clerk.dashboardUrl ?? null,
      }),
    )
    .get('/users/:userId/sessions', userParam, async (c) =>
      c.json(await listUserSessions(services, c.req.valid('param').userId)),
    )
    .get('/users/:userId/timeline', userParam, async (c) =>
      c.json(await userTimeline(services, c.req.valid('param').userId)),
    )
    .get(
      '/sessions/:sessionId/timeline',
      validate('param', z.object({ sessionId: sessionIdSchema })),
      async (c) => c.json(await sessionTimeline(services, c.req.valid('param').sessionId)),
    );
