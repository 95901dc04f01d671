import type { AuditEntry, JobView } from '@cache-doctor/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue, type JobWorker, startJobWorker } from '../src/jobs/runner';
import type { JobRecord } from '../src/jobs/store';
import { type Harness, startHarness } from './harness';

/**
 * Issue #21 item 3 on a real redis-server, the sandbox and a BullMQ worker: a job's counts add up
 * to the users it checked, its CSV names people and problems in words and follows the page's
 * filter, each refreshed user's changes are readable from the job, and its audit entries name it.
 */

/** the user CSV's columns the tests read */
type CsvRow = Record<
  'userId' | 'email' | 'name' | 'outcome' | 'reason' | 'problems' | 'problemTitles' | 'messages',
  string
>;

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('jobs that explain themselves', () => {
  let harness: Harness;
  let worker: JobWorker;

  beforeAll(async () => {
    harness = await startHarness({ users: 120 });
    worker = await startJobWorker(harness.services);
  });
  afterAll(async () => {
    await worker.close();
    await harness.close();
  });

  const get = async (path: string) => {
    const response = await harness.request('GET', path, { role: 'support' });
    expect(response.status).toBe(200);
    return response;
  };
  const start = async (body: unknown) => {
    const response = await harness.request('POST', '/api/jobs', { role: 'ops', body });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    return harness.jobEnded(jobId);
  };
  const sum = (tally: Record<string, number>) => Object.values(tally).reduce((a, b) => a + b, 0);
  /** the seed's Clerk users: id → primary email and full name */
  const people = () =>
    new Map(
      harness.seed.dataset.clerkUsers.map((user) => [
        user.id,
        {
          email: user.email_addresses.find((address) => address.id === user.primary_email_address_id)
            ?.email_address,
          name: [user.first_name, user.last_name].filter(Boolean).join(' '),
        },
      ]),
    );
  /** CSV rows as objects by header (the test's own small reader: quoted cells may hold commas) */
  const parseCsv = (text: string) => {
    const rows = text
      .trim()
      .split('\n')
      .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1] ?? '').slice(0, -1))
      .map((cells) =>
        cells.map((cell) => (cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell)),
      );
    const [header, ...body] = rows;
    return body.map(
      (cells) => Object.fromEntries((header ?? []).map((name, i) => [name, cells[i] ?? ''])) as CsvRow,
    );
  };

  it('a sweep: healthy + with problems = checked = total, a start time and an end; the CSV names people, titles and messages, and follows the filter', async () => {
    const done = await start({ type: 'sweep' });
    expect(done.state).toBe('completed');
    // who started it, by name as well as staff id (in demo mode the two are the same)
    expect(done).toMatchObject({ actor: 'Olivia Ops', actorName: 'Olivia Ops' });
    const users = Object.keys(harness.seed.planted.users).length;
    expect(done.progress).toMatchObject({ done: users, total: users });
    expect(sum(done.tally)).toBe(done.progress.done);
    expect(done.tally.problems).toBe(done.summary.withProblems);
    expect(Date.parse(done.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.createdAt));
    expect(Date.parse(done.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.startedAt ?? ''));

    const all = await get(`/api/jobs/${done.id}/results.csv`);
    const at = new Date(done.createdAt);
    const pad = (n: number) => String(n).padStart(2, '0');
    expect(all.headers.get('content-disposition')).toBe(
      `attachment; filename="sweep-${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}.csv"`,
    );
    const rows = parseCsv(await all.text());
    expect(rows).toHaveLength(users);
    const known = people();
    const missing = harness.seed.planted.byCode.CUSTOMER_MISSING[0] as string;
    const row = rows.find((r) => r.userId === missing);
    expect(row).toMatchObject({
      email: known.get(missing)?.email,
      name: known.get(missing)?.name,
      outcome: 'diagnosed',
    });
    expect(row?.problems.split(' ')).toContain('CUSTOMER_MISSING');
    expect(row?.problemTitles).toMatch(/[a-z] [a-z]/);
    expect(row?.problemTitles).not.toContain('CUSTOMER_MISSING');
    expect(row?.messages.length).toBeGreaterThan(10);

    const filtered = parseCsv(await (await get(`/api/jobs/${done.id}/results.csv?problem=NO_TTL`)).text());
    expect(filtered.map((r) => r.userId).sort()).toEqual([...harness.seed.planted.byCode.NO_TTL].sort());
    expect(filtered.every((r) => r.problems.split(' ').includes('NO_TTL'))).toBe(true);
  });

  it("a bulk refresh: repaired + already right + skipped (with reason) + failed = checked; each repaired user's changes and the audit entry name the job", async () => {
    const planted = harness.seed.planted.byCode;
    const userIds = [
      ...planted.SUBSCRIPTIONS_STALE.slice(0, 2),
      ...planted.NO_STRIPE_CUSTOMER.slice(0, 1),
      ...Object.entries(harness.seed.planted.users)
        .filter(([userId, codes]) => codes.length === 0 && userId.startsWith('user_'))
        .slice(0, 2)
        .map(([userId]) => userId),
    ];
    const done = await start({ type: 'bulk-refresh', userIds });
    expect(done.state).toBe('completed');
    expect(sum(done.tally)).toBe(userIds.length);
    expect(done.tally).toMatchObject({ repaired: 2, 'skipped:no-stripe-customer': 1 });
    expect(done.tally.unchanged).toBe(2);

    const stale = planted.SUBSCRIPTIONS_STALE[0] as string;
    const changes = (await (await get(`/api/jobs/${done.id}/changes/${stale}`)).json()) as {
      auditId: string;
      changes: Array<{ key: string; before: string | null; after: string | null }>;
    };
    // exactly the keys the job says it changed for that user, each with a different value after
    const result = done.results?.find((r) => r.userId === stale);
    expect(result?.outcome).toBe('refreshed');
    expect(changes.changes.map((change) => change.key)).toEqual([...(result?.changedKeys ?? [])].sort());
    expect(changes.changes.length).toBeGreaterThan(0);
    for (const change of changes.changes) expect(change.before).not.toBe(change.after);
    const entry = (await harness.services.audit.get(changes.auditId)) as AuditEntry;
    expect(entry).toMatchObject({ jobId: done.id, target: `job:${done.id}` });
    // an already-right user: nothing to show
    const healthy = userIds[3] as string;
    expect(
      (await harness.request('GET', `/api/jobs/${done.id}/changes/${healthy}`, { role: 'support' })).status,
    ).toBe(404);

    const rows = parseCsv(await (await get(`/api/jobs/${done.id}/results.csv`)).text());
    const skipped = rows.find((r) => r.userId === planted.NO_STRIPE_CUSTOMER[0]);
    expect(skipped).toMatchObject({ outcome: 'skipped', reason: 'no-stripe-customer' });
    expect(skipped?.messages.length).toBeGreaterThan(10);
  });

  it('a rebuild started from its confirmed plan knows its total from the first view', async () => {
    const preview = await harness.request('POST', '/api/jobs', {
      role: 'admin',
      body: { type: 'rebuild', dryRun: true },
    });
    const { plan, planId } = (await preview.json()) as { plan: { users: number }; planId: string };
    expect(plan.users).toBe(harness.seed.dataset.clerkUsers.length);
    const started = await harness.request('POST', '/api/jobs', {
      role: 'admin',
      body: { type: 'rebuild', planId },
    });
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    const first = (await (await get(`/api/jobs/${jobId}`)).json()) as JobView;
    expect(first.progress.total).toBe(plan.users);
    for (;;) {
      const view = (await (await get(`/api/jobs/${jobId}?limit=1`)).json()) as JobView;
      expect(view.progress.total).toBeGreaterThanOrEqual(plan.users);
      if (view.state !== 'queued' && view.state !== 'running') {
        expect(sum(view.tally)).toBe(view.progress.done);
        break;
      }
      await tick();
    }
  });

  it('the CLI says what happened in the same words, and warns when a job that writes is still running', async () => {
    const skipped = harness.seed.planted.byCode.NO_STRIPE_CUSTOMER[1] as string;
    const refresh = await harness.cli(['bulk-refresh', skipped, '--yes']);
    expect(refresh.out).toMatch(/What happened: +1 skipped \(no Stripe customer\)/);

    // a rebuild on record that no worker has taken up yet (no task queued): it is still running
    const store = new JobQueue(harness.services).store;
    const waiting = {
      ...(await store.get((await store.list(1))[0]?.id ?? '')),
      id: harness.services.audit.newId(),
      type: 'rebuild' as const,
      state: 'queued' as const,
      phase: 'queued' as const,
      createdAt: new Date().toISOString(),
      finishedAt: null,
    } as JobRecord;
    const tx = harness.services.ownRedis.multi();
    store.queueCreate(tx, waiting, null);
    await tx.exec();
    try {
      const sweep = await harness.cli(['sweep']);
      expect(sweep.err).toContain(`Warning: rebuild job ${waiting.id}`);
      expect(sweep.err).toContain('it writes, so the two read and write the same users at once');
      expect(sweep.out).toMatch(/What happened: +[\d,]+ healthy, [\d,]+ with problems/);
    } finally {
      await new JobQueue(harness.services).cancel(waiting.id);
    }
  });

  it('"Fix all" starts from its confirmed plan: a session fixed meanwhile answers PLAN_CHANGED and starts nothing; the fresh plan starts', async () => {
    const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const job = { type: 'session-sweep', action: 'fix', since };
    const post = (body: object) =>
      harness.request('POST', '/api/jobs', { role: 'ops', body: { ...job, ...body } });
    const preview = (await (await post({ dryRun: true })).json()) as {
      plan: { listed: number; sessions: Array<{ sessionId: string; customerEmail: string | null }> };
      planId: string;
    };
    expect(preview.plan.sessions.length).toBeGreaterThan(1);
    expect(preview.plan.listed).toBeGreaterThanOrEqual(preview.plan.sessions.length);
    expect(preview.plan.sessions.some((session) => session.customerEmail?.includes('@'))).toBe(true);

    const fixedMeanwhile = preview.plan.sessions[0]?.sessionId as string;
    const fixed = await harness.request('POST', `/api/sessions/${fixedMeanwhile}/fix`, {
      role: 'ops',
      body: {},
    });
    expect(fixed.status).toBe(200);
    const jobsBefore = (await new JobQueue(harness.services).store.list(50)).length;
    const stale = await post({ planId: preview.planId });
    expect(stale.status).toBe(409);
    const refused = (await stale.json()) as {
      error: { code: string; details: { plan: { sessions: Array<{ sessionId: string }> }; planId: string } };
    };
    expect(refused.error.code).toBe('PLAN_CHANGED');
    expect(refused.error.details.plan.sessions.map((session) => session.sessionId)).not.toContain(
      fixedMeanwhile,
    );
    expect((await new JobQueue(harness.services).store.list(50)).length).toBe(jobsBefore);

    const started = await post({ planId: refused.error.details.planId });
    expect(started.status).toBe(202);
  });
});
