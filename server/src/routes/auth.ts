import { roleSchema } from '@cache-doctor/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/middleware';
import { AppError } from '../lib/app-error';
import { validate } from '../lib/validate';
import type { Services } from '../services/container';

/** Sign-in support; outside /api because it is what you call before you have an identity. */
export const authRoutes = (services: Services) =>
  new Hono<AppEnv>()
    .get('/config', (c) =>
      c.json({
        authMode: services.config.authMode,
        demo: services.config.demo,
        stripeMode: services.stripe.mode,
        // AUTH_MODE=clerk: where the SPA sends staff; it appends `redirect_url` for the way back.
        signInUrl: services.config.authMode === 'clerk' ? (services.config.clerk.signInUrl ?? null) : null,
      }),
    )
    .post('/demo', validate('json', z.object({ role: roleSchema })), (c) => {
      if (!services.demoAuth) throw new AppError('DEMO_DISABLED', 'Demo sign-in exists only in demo mode.');
      return c.json(services.demoAuth.issue(c.req.valid('json').role));
    });
