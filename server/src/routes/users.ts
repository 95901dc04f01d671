import { confirmablePlanSchema, userIdSchema } from '@cache-doctor/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import { type AppEnv, requirePermission } from '../auth/middleware';
import { validate } from '../lib/validate';
import type { Services } from '../services/container';
import { removeCustomerKeys } from '../services/customer-remove';
import {
  getCustomerForApp,
  getCustomerHealth,
  getCustomerSync,
  getKvSyncCheck,
  refreshCustomer,
} from '../services/customers';
import { search } from '../services/search';

const userParam = validate('param', z.object({ userId: userIdSchema }));

/** `POST /users/:userId/remove` body: which keys (default: every removable one), dry run, confirmed plan. */
const removeBody = confirmablePlanSchema.extend({
  keys: z.array(z.string().min(1).max(1024)).min(1).max(1000).optional(),
});

export const userRoutes = (services: Services) =>
  new Hono<AppEnv>()
    .get('/search', validate('query', z.object({ q: z.string().trim().min(1).max(255) })), async (c) =>
      c.json(await search(services, c.req.valid('query').q)),
    )
    .get('/users/:userId/health', userParam, async (c) =>
      c.json(await getCustomerHealth(services, c.req.valid('param').userId)),
    )
    .get('/users/:userId/sync', userParam, async (c) =>
      c.json(await getCustomerSync(services, c.req.valid('param').userId)),
    )
    .get('/users/:userId/customer', userParam, async (c) =>
      c.json(await getCustomerForApp(services, c.req.valid('param').userId)),
    )
    .post(
      '/users/:userId/refresh',
      requirePermission('refresh'),
      userParam,
      validate('json', confirmablePlanSchema),
      async (c) => {
        const { dryRun, planId } = c.req.valid('json');
        return c.json(
          await refreshCustomer(services, c.req.valid('param').userId, {
            dryRun: dryRun ?? false,
            ...(planId !== undefined && { planId }),
            staff: c.get('staff'),
          }),
        );
      },
    )
    .post(
      '/users/:userId/remove',
      requirePermission('remove'),
      userParam,
      validate('json', removeBody),
      async (c) => {
        const { dryRun, planId, keys } = c.req.valid('json');
        return c.json(
          await removeCustomerKeys(services, c.req.valid('param').userId, {
            dryRun: dryRun ?? false,
            planId,
            keys,
            staff: c.get('staff'),
          }),
        );
      },
    )
    .get('/user/check-kv-sync', validate('query', z.object({ userId: userIdSchema })), async (c) =>
      c.json(await getKvSyncCheck(services, c.req.valid('query').userId)),
    );
