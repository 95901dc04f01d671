import {
  POLICY_NAMES,
  policyActivityRangeSchema,
  policyNameSchema,
  updatePolicySchema,
} from '@cache-doctor/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import { type AppEnv, requirePermission } from '../auth/middleware';
import { AppError } from '../lib/app-error';
import { validate } from '../lib/validate';
import type { Services } from '../services/container';
import { readPolicies, readPolicyActivity, setPaused, updatePolicy } from '../services/policy-settings';

/** Pause and resume take nothing: any field is a mistake, refused rather than ignored. */
const noFields = z.object({}).strict();
const activityQuery = z.object({ range: policyActivityRangeSchema.default('24h') });

/** `/api/policies` (SPEC §6.4): everyone reads; admins change a policy, pause or resume them all. */
export const policyRoutes = (services: Services) =>
  new Hono<AppEnv>()
    .get('/', async (c) => c.json(await readPolicies(services)))
    // the page's "Actions per policy" chart; everyone reads it, like the policies
    .get('/activity', validate('query', activityQuery), async (c) =>
      c.json(await readPolicyActivity(services, c.req.valid('query').range)),
    )
    .post('/pause', requirePermission('policies'), validate('json', noFields), async (c) =>
      c.json(await setPaused(services, true, c.get('staff'))),
    )
    .post('/resume', requirePermission('policies'), validate('json', noFields), async (c) =>
      c.json(await setPaused(services, false, c.get('staff'))),
    )
    .put('/:name', requirePermission('policies'), validate('json', updatePolicySchema), async (c) => {
      const name = policyNameSchema.safeParse(c.req.param('name'));
      if (!name.success)
        throw new AppError(
          'NOT_FOUND',
          `No policy ${c.req.param('name')}; policies: ${POLICY_NAMES.join(', ')}.`,
        );
      return c.json(await updatePolicy(services, name.data, c.req.valid('json'), c.get('staff')));
    });
