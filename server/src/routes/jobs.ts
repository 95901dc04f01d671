import {
  createJobRequestSchema,
  JOB_PERMISSION,
  jobCsvFileName,
  permissionToStart,
} from '@cache-doctor/shared';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { type AppEnv, requirePermission } from '../auth/middleware';
import { resultChanges } from '../jobs/result-changes';
import { jobResultsCsv } from '../jobs/results-csv';
import { JobQueue } from '../jobs/runner';
import { AppError } from '../lib/app-error';
import { validate } from '../lib/validate';
import type { Services } from '../services/container';
import { planJob, startConfirmedJob } from '../services/job-plans';

/** Job ids are audit-style time-ordered base-36 ids. */
const jobIdSchema = z.object({ id: z.string().regex(/^[0-9a-z]{10,40}$/, 'not a job id') });

/** A job's user (`user_…`) or session (`cs_…`) whose changes are asked for. */
const changesParamSchema = jobIdSchema.extend({
  target: z.string().regex(/^[A-Za-z0-9_]{3,120}$/, 'not an id'),
});

const resultsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  problem: z
    .string()
    .regex(/^[A-Z_]{2,40}$/)
    .optional(),
});

/** The CSV follows the page's filter: only the results with that problem (or diagnosis) code. */
const csvQuerySchema = resultsQuerySchema.pick({ problem: true });

/** SPEC §6.4 — jobs. */
export const jobRoutes = (services: Services) => {
  const jobs = new JobQueue(services);
  const find = async (id: string) => {
    const record = await jobs.store.get(id);
    if (!record) throw new AppError('NOT_FOUND', `No job ${id}.`);
    return record;
  };
  return new Hono<AppEnv>()
    .post(
      '/',
      // every start needs at least the weakest job permission; the type's own is checked next
      requirePermission('sweep'),
      validate('json', createJobRequestSchema),
      async (c) => {
        const { dryRun, planId, ...request } = c.req.valid('json');
        const staff = c.get('staff');
        const needed = permissionToStart(request);
        await requirePermission(needed)(c, async () => {});
        // SPEC §3 confirmed plans: a preview, or the plan confirmed — planned again just before the start
        if (dryRun) return c.json({ ...(await planJob(services, request, staff)), jobId: null }, 200);
        const jobId = await startConfirmedJob(services, jobs, request, staff, planId);
        return c.json({ jobId, planId: planId ?? null }, 202);
      },
    )
    .get('/', async (c) => {
      const records = await jobs.store.list(50);
      return c.json({ jobs: await Promise.all(records.map((record) => jobs.store.view(record))) });
    })
    .get('/:id', validate('param', jobIdSchema), validate('query', resultsQuerySchema), async (c) => {
      const record = await find(c.req.valid('param').id);
      const { limit, problem } = c.req.valid('query');
      return c.json(await jobs.store.view(record, { results: { limit, ...(problem && { problem }) } }));
    })
    .get('/:id/results.csv', validate('param', jobIdSchema), validate('query', csvQuerySchema), async (c) => {
      const record = await find(c.req.valid('param').id);
      const { problem } = c.req.valid('query');
      c.header('content-type', 'text/csv; charset=utf-8');
      c.header(
        'content-disposition',
        `attachment; filename="${jobCsvFileName(record.type, record.createdAt)}"`,
      );
      return stream(c, async (out) => {
        for await (const lines of jobResultsCsv(jobs.store, record, problem))
          await out.write(`${lines.join('\n')}\n`);
      });
    })
    .get('/:id/changes/:target', validate('param', changesParamSchema), async (c) => {
      const { id, target } = c.req.valid('param');
      const changes = await resultChanges(jobs.store, services.audit, await find(id), target);
      if (!changes) throw new AppError('NOT_FOUND', `Job ${id} wrote nothing for ${target}.`);
      return c.json({ target, ...changes });
    })
    .delete('/:id', requirePermission('sweep'), validate('param', jobIdSchema), async (c) => {
      const record = await find(c.req.valid('param').id);
      await requirePermission(JOB_PERMISSION[record.type])(c, async () => {});
      const cancelled = await jobs.cancel(record.id);
      if (!cancelled)
        throw new AppError(
          'CONFLICT',
          `Job ${record.id} has already ${record.state === 'cancelled' ? 'been cancelled' : 'finished'}.`,
        );
      return c.json(await jobs.store.view((await jobs.store.get(record.id)) ?? record));
    });
};
