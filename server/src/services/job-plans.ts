import type { CreateJob, Staff } from '@cache-doctor/shared';
import { planId } from '../domain/plan-id';
import { isAppError } from '../lib/app-error';
import { createBatchUpstream } from './batch-upstream';
import type { Services } from './container';
import { refreshCustomer } from './customers';
import { completedSessionRanges, sinceSeconds, sweepCompletedSessions } from './session-sweep';

/**
 * A bulk job's confirmed plan (SPEC §3): what it will touch, as the confirm dialog names it.
 * bulk-refresh: each listed user with the id of its own refresh plan (so a Stripe change to any of
 * them is a changed plan) or why it would be skipped; rebuild: how many Clerk users it walks; a
 * session sweep that repairs: the sessions it would fix or generate for. A sweep and a report-only
 * session sweep write nothing, so their plan is empty.
 */
export type JobPlan =
  | {
      type: 'bulk-refresh';
      users: Array<{ userId: string; planId: string | null; upToDate: boolean; skip: string | null }>;
    }
  | { type: 'rebuild'; users: number }
  | { type: 'session-sweep'; action: string; since: string; sessions: string[] }
  | { type: 'sweep' };

/** Users planned at once: each plan reads Redis, Clerk and Stripe (through the shared limiter). */
const PLAN_CONCURRENCY = 8;

async function planEach<T, R>(items: readonly T[], plan: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++)
      results[index] = await plan(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(PLAN_CONCURRENCY, items.length) }, worker));
  return results;
}

async function bulkRefreshPlan(services: Services, userIds: readonly string[], staff: Staff) {
  const unique = [...new Set(userIds)].sort();
  return planEach(unique, async (userId) => {
    try {
      const preview = await refreshCustomer(services, userId, { dryRun: true, staff });
      return { userId, planId: preview.planId, upToDate: preview.upToDate, skip: null };
    } catch (error) {
      // what the job would record as skipped; other failures (an upstream down) fail the preview
      if (!isAppError(error, 'NOTHING_TO_CACHE', 'USER_NOT_FOUND', 'CONFLICT')) throw error;
      return { userId, planId: null, upToDate: false, skip: error.code };
    }
  });
}

async function sessionSweepPlan(services: Services, since: string | undefined) {
  const from = sinceSeconds(since, new Date());
  const sessions: string[] = [];
  const upstream = createBatchUpstream(services);
  const reads = await completedSessionRanges(upstream, from);
  for await (const page of sweepCompletedSessions(services, upstream, reads))
    for (const session of page.swept) if (session.unprocessed) sessions.push(session.facts.sessionId);
  return { since: new Date(from * 1000).toISOString(), sessions: sessions.sort() };
}

/** The job's plan and its id, for the preview and for the apply's check. */
export async function planJob(
  services: Services,
  request: CreateJob,
  staff: Staff,
): Promise<{ plan: JobPlan; planId: string }> {
  let plan: JobPlan;
  switch (request.type) {
    case 'bulk-refresh':
      plan = { type: 'bulk-refresh', users: await bulkRefreshPlan(services, request.userIds, staff) };
      break;
    case 'rebuild':
      plan = { type: 'rebuild', users: await createBatchUpstream(services).clerkCount() };
      break;
    case 'session-sweep':
      plan =
        request.action === 'report'
          ? { type: 'session-sweep', action: 'report', since: request.since ?? '', sessions: [] }
          : {
              type: 'session-sweep',
              action: request.action,
              ...(await sessionSweepPlan(services, request.since)),
            };
      break;
    case 'sweep':
      plan = { type: 'sweep' };
      break;
  }
  return { plan, planId: planId({ action: request.type, target: 'jobs', writes: [], extra: plan }) };
}
