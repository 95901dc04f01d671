import type { CreateJob, Staff } from '@cache-doctor/shared';
import { clerkFullName } from '../domain/customer-record';
import { planId } from '../domain/plan-id';
import type { JobQueue } from '../jobs/runner';
import type { CreateOptions } from '../jobs/store';
import { isAppError } from '../lib/app-error';
import { createBatchUpstream } from './batch-upstream';
import { requireConfirmedPlan } from './confirmed-plan';
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
      users: Array<{
        userId: string;
        /** Clerk's primary email and name, so the dialog names people, not ids */
        email: string | null;
        name: string | null;
        planId: string | null;
        upToDate: boolean;
        skip: string | null;
      }>;
    }
  | { type: 'rebuild'; users: number }
  | {
      type: 'session-sweep';
      action: string;
      since: string;
      /** every unprocessed paid session in the window; `sessions` are those the action writes to */
      listed: number;
      sessions: Array<{ sessionId: string; customerEmail: string | null }>;
    }
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

/** Clerk users per call when the plan looks up who the listed users are. */
const CLERK_IDS_PER_CALL = 100;

async function bulkRefreshPlan(services: Services, userIds: readonly string[], staff: Staff) {
  const unique = [...new Set(userIds)].sort();
  const upstream = createBatchUpstream(services);
  const people = new Map<string, { email: string | null; name: string | null }>();
  for (let i = 0; i < unique.length; i += CLERK_IDS_PER_CALL)
    for (const user of await upstream.clerkUsersById(unique.slice(i, i + CLERK_IDS_PER_CALL)))
      people.set(user.id, { email: user.primaryEmail, name: clerkFullName(user) || null });
  return planEach(unique, async (userId) => {
    const person = people.get(userId) ?? { email: null, name: null };
    try {
      const preview = await refreshCustomer(services, userId, { dryRun: true, staff });
      return { userId, ...person, planId: preview.planId, upToDate: preview.upToDate, skip: null };
    } catch (error) {
      // what the job would record as skipped; other failures (an upstream down) fail the preview
      if (!isAppError(error, 'NOTHING_TO_CACHE', 'USER_NOT_FOUND', 'CONFLICT')) throw error;
      return { userId, ...person, planId: null, upToDate: false, skip: error.code };
    }
  });
}

/** The unprocessed sessions in the window, and those of them the action writes to (as the job decides). */
async function sessionSweepPlan(services: Services, since: string | undefined, action: 'fix' | 'generate') {
  const offered = action === 'fix' ? 'fix-session' : 'generate';
  const from = sinceSeconds(since, new Date());
  const sessions: Array<{ sessionId: string; customerEmail: string | null }> = [];
  let listed = 0;
  const upstream = createBatchUpstream(services);
  const reads = await completedSessionRanges(upstream, from);
  for await (const page of sweepCompletedSessions(services, upstream, reads))
    for (const session of page.swept.filter((swept) => swept.unprocessed)) {
      listed += 1;
      if (session.diagnosis.fixes.includes(offered))
        sessions.push({ sessionId: session.facts.sessionId, customerEmail: session.facts.customerEmail });
    }
  sessions.sort((a, b) => a.sessionId.localeCompare(b.sessionId));
  return { since: new Date(from * 1000).toISOString(), listed, sessions };
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
          ? { type: 'session-sweep', action: 'report', since: request.since ?? '', listed: 0, sessions: [] }
          : {
              type: 'session-sweep',
              action: request.action,
              ...(await sessionSweepPlan(services, request.since, request.action)),
            };
      break;
    case 'sweep':
      plan = { type: 'sweep' };
      break;
  }
  return {
    plan,
    planId: planId({ action: request.type, target: 'jobs', writes: [], extra: whatItWrites(plan) }),
  };
}

/**
 * The part of a plan its id covers: what would be written. Who the users are (emails and names,
 * shown so people read people) and whose customer a session is may change meanwhile without
 * changing a single write.
 */
function whatItWrites(plan: JobPlan): unknown {
  if (plan.type === 'bulk-refresh')
    return { ...plan, users: plan.users.map(({ email: _, name: __, ...user }) => user) };
  // how many are listed beside them (reported, not written) is not a write either
  if (plan.type === 'session-sweep') {
    const { listed: _, sessions, ...rest } = plan;
    return { ...rest, sessions: sessions.map((session) => session.sessionId) };
  }
  return plan;
}

/**
 * Starts a job; with the `planId` of the plan someone confirmed (page or CLI), only while planning
 * again gives that same plan (else 409 PLAN_CHANGED, nothing started). A rebuild's confirmed plan
 * names its users, so the queued job shows its total before a worker takes it up; a "Fix all" /
 * "Generate all" keeps its confirmed sessions, the only ones its run may write to.
 */
export async function startConfirmedJob(
  services: Services,
  jobs: JobQueue,
  request: CreateJob,
  staff: Staff,
  confirmedPlanId: string | undefined,
): Promise<string> {
  if (confirmedPlanId === undefined) return jobs.create(request, staff);
  const planned = await planJob(services, request, staff);
  requireConfirmedPlan(confirmedPlanId, planned);
  return jobs.create(request, staff, createOptions(planned.plan));
}

/**
 * What the job keeps of its confirmed plan: a rebuild's user count, a repairing session sweep's
 * sessions — the run repairs those and records any other it finds as skipped, not in the plan.
 */
function createOptions(plan: JobPlan): CreateOptions {
  if (plan.type === 'rebuild') return { users: plan.users };
  if (plan.type === 'session-sweep' && plan.action !== 'report')
    return { sessions: plan.sessions.map((session) => session.sessionId) };
  return {};
}
