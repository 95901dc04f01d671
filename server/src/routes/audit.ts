import { type AuditEntry, confirmablePlanSchema, idKind } from '@cache-doctor/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import { type AppEnv, requirePermission } from '../auth/middleware';
import { validate } from '../lib/validate';
import type { Services } from '../services/container';
import { type Person, peopleByUserId } from '../services/people';
import { undoAuditEntry } from '../services/undo';

/** Audit ids are time-ordered base-36 strings (see AuditLog.newId). */
const auditIdSchema = z.string().regex(/^[0-9a-z]{10,40}$/, 'not an audit entry id');

const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: auditIdSchema.optional(),
  actor: z.string().max(200).optional(),
  target: z.string().max(300).optional(),
});

/**
 * Who each entry's target user is (issue #21: people, not ids). Best effort: the log is Cache
 * Doctor's own store and must read while the app's Redis does not answer; then the ids show alone.
 */
async function targetPeople(
  services: Services,
  entries: readonly AuditEntry[],
): Promise<Map<string, Person>> {
  const userIds = entries.filter((entry) => idKind(entry.target) === 'user').map((entry) => entry.target);
  return peopleByUserId(services, userIds).catch(() => new Map<string, Person>());
}

export const auditRoutes = (services: Services) =>
  new Hono<AppEnv>()
    .get('/', validate('query', auditQuerySchema), async (c) => {
      const [page, store] = await Promise.all([
        services.audit.list(c.req.valid('query')),
        services.ownStore.check(),
      ]);
      const people = await targetPeople(services, page.entries);
      const entries = page.entries.map((entry) => ({ ...entry, person: people.get(entry.target) ?? null }));
      // an empty page after a loss is not "nothing happened": say when the history went
      return c.json({ ...page, entries, historyLost: store.historyLost });
    })
    .post(
      '/:id/undo',
      requirePermission('undo:own'),
      validate('param', z.object({ id: auditIdSchema })),
      validate('json', confirmablePlanSchema),
      async (c) => {
        const { dryRun, planId } = c.req.valid('json');
        return c.json(
          await undoAuditEntry(services, c.req.valid('param').id, c.get('staff'), {
            ...(dryRun !== undefined && { dryRun }),
            ...(planId !== undefined && { planId }),
          }),
        );
      },
    );
