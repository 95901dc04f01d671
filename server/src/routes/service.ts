import { can, PERMISSIONS } from '@cache-doctor/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../auth/middleware';
import type { Services } from '../services/container';
import { readServiceStatus } from '../services/status';

export const serviceRoutes = (services: Services) =>
  new Hono<AppEnv>()
    .get('/status', async (c) => c.json(await readServiceStatus(services)))
    .get('/me', (c) => {
      const staff = c.get('staff');
      return c.json({
        ...staff,
        permissions: PERMISSIONS.filter((permission) => can(staff.role, permission)),
      });
    });
