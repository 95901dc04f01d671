import { jobCsvFileName } from '@cache-doctor/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setToken } from '../../api/token';
import { fixtures, renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const job = (extra: Record<string, unknown> = {}) => ({
  id: '00job000001abc',
  type: 'sweep',
  state: 'running',
  phase: 'processing',
  progress: { done: 500, total: 2000, failed: 0 },
  actor: 'Olivia Ops',
  createdAt: '2026-01-02T03:04:05.000Z',
  startedAt: '2026-01-02T03:04:06.000Z',
  finishedAt: null,
  summary: { withProblems: 120, byCode: { NO_TTL: 30, CUSTOMER_MISSING: 20 } },
  tally: { problems: 120, ok: 380 },
  error: null,
  ...extra,
});

describe('Jobs page', () => {
  // the page is lazily loaded, which on a busy machine takes seconds in jsdom
  it('ops: start buttons for sweep and bulk refresh (not rebuild), progress, cancel and results with links', {
    timeout: 20_000,
  }, async () => {
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [job()] },
      'GET /api/jobs/00job000001abc': {
        ...job(),
        results: [{ userId: 'user_A1', outcome: 'diagnosed', problems: ['NO_TTL'], broken: false }],
      },
      'POST /api/jobs': { status: 202, body: { jobId: '00job000002abc' } },
      'DELETE /api/jobs/00job000001abc': job({ state: 'cancelled' }),
    });
    const { user } = renderApp('/jobs');

    expect(await screen.findByRole('heading', { level: 1, name: 'Jobs' }, { timeout: 5000 })).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'Health sweep' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Bulk refresh' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Rebuild cache' })).toBeNull();

    const progress = await screen.findByRole('progressbar');
    expect(progress.getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByText(/500 of 2,000 users checked/)).toBeTruthy();
    const table = await screen.findByRole('table');
    expect(within(table).getByRole('link', { name: 'user_A1' }).getAttribute('href')).toBe('/users/user_A1');

    await user.click(screen.getByRole('button', { name: 'Health sweep' }));
    expect(requests.some((r) => r.method === 'POST' && r.path === '/api/jobs')).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(requests.some((r) => r.method === 'DELETE' && r.path === '/api/jobs/00job000001abc')).toBe(true);
  });

  it('a sweep row says what the user page would: refresh, remove keys, or nothing to do', async () => {
    const row = (userId: string, problems: string[], broken: boolean) => ({
      userId,
      outcome: 'diagnosed',
      problems,
      broken,
    });
    stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [job({ state: 'completed', phase: 'finished' })] },
      'GET /api/jobs/00job000001abc': {
        ...job({ state: 'completed', phase: 'finished' }),
        results: [
          row('user_Ttl1', ['NO_TTL'], false),
          row('user_Gone1', ['CLERK_USER_NOT_FOUND'], true),
          row('user_Cus1', ['STRIPE_CUSTOMER_NOT_FOUND'], true),
          row('user_Never1', ['NO_STRIPE_CUSTOMER'], false),
        ],
      },
    });
    renderApp('/jobs');
    const table = await screen.findByRole('table', {}, { timeout: 5000 });
    const outcome = (userId: string) =>
      within(table).getByRole('link', { name: userId }).closest('tr')?.lastElementChild?.textContent;
    await waitFor(() => expect(outcome('user_Ttl1')).toBe('Needs a refresh'));
    expect(outcome('user_Gone1')).toBe('Needs keys removed');
    expect(outcome('user_Cus1')).toBe('Needs keys removed');
    expect(outcome('user_Never1')).toBe('OK, with warnings');
  });

  it('a health sweep asks first while a job that writes runs, with the overlap warning', {
    timeout: 20_000,
  }, async () => {
    const rebuild = job({ type: 'rebuild', tally: {}, summary: { withProblems: 0, byCode: {} } });
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [rebuild] },
      'GET /api/jobs/00job000001abc': { ...rebuild, results: [] },
      'POST /api/jobs': { status: 202, body: { jobId: '00job000002abc' } },
    });
    const { user } = renderApp('/jobs');
    await user.click(await screen.findByRole('button', { name: 'Health sweep' }, { timeout: 5000 }));
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Start a health sweep while a job writes?' }),
    );
    expect(dialog.getByRole('note').textContent).toMatch(/Another job is still running: Rebuild/);
    const posts = () => requests.filter((r) => r.method === 'POST' && r.path === '/api/jobs');
    expect(posts()).toHaveLength(0);
    await user.click(dialog.getByRole('button', { name: 'Start health sweep' }));
    await waitFor(() => expect(posts().map((r) => r.body)).toEqual([{ type: 'sweep' }]));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it("names who started a job by name, the staff id beside it; an older job's id alone", async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': {
        jobs: [
          job({ actor: 'user_2staff', actorName: 'Olivia Ops' }),
          job({ id: '00job000000old', actor: 'Olivia Ops', createdAt: '2026-01-01T03:04:05.000Z' }),
        ],
      },
      'GET /api/jobs/00job000001abc': { ...job(), results: [] },
    });
    renderApp('/jobs');
    const started = await screen.findAllByText(/^Started by/, {}, { timeout: 5000 });
    expect(started.map((line) => line.textContent)).toEqual([
      'Started by Olivia Ops user_2staff',
      'Started by Olivia Ops',
    ]);
  });

  it('a job of one user counts it in the singular', async () => {
    const one = job({ progress: { done: 1, total: 1, failed: 0 }, tally: { ok: 1 } });
    stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [one] },
      'GET /api/jobs/00job000001abc': { ...one, results: [] },
    });
    renderApp('/jobs');
    expect(await screen.findByText(/1 of 1 user checked/, {}, { timeout: 5000 })).toBeTruthy();
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('100 % — 1 of 1 user');
  });

  it('support sees jobs but no start or cancel buttons', async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/me': { ...fixtures.me, name: 'Sam Support', role: 'support' },
      'GET /api/jobs': { jobs: [job()] },
      'GET /api/jobs/00job000001abc': { ...job(), results: [] },
    });
    renderApp('/jobs');
    expect(await screen.findByRole('progressbar', {}, { timeout: 5000 })).toBeTruthy();
    for (const name of ['Health sweep', 'Bulk refresh', 'Rebuild cache', 'Cancel']) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
  });
  it('a link /jobs?job=<id>&problem=<CODE> opens that job with that filter; Back restores it', {
    timeout: 20_000,
  }, async () => {
    const older = job({
      id: '00job000000xyz',
      type: 'bulk-refresh',
      state: 'completed',
      createdAt: '2026-01-01T03:04:05.000Z',
    });
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [job(), older] },
      'GET /api/jobs/00job000001abc': { ...job(), results: [] },
      'GET /api/jobs/00job000000xyz': (request: { search: string }) => ({
        ...older,
        results:
          new URLSearchParams(request.search).get('problem') === 'NO_TTL'
            ? [{ userId: 'user_NoTtl', outcome: 'refreshed', problems: ['NO_TTL'], broken: false }]
            : [],
      }),
    });
    const { user, router } = renderApp('/jobs?job=00job000000xyz&problem=NO_TTL');

    const linked = await screen.findByRole('article', { name: /Bulk refresh/ }, { timeout: 5000 });
    const newest = screen.getByRole('article', { name: /Health sweep/ });
    expect(within(linked).getByRole('button', { name: 'Hide results' }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    expect(within(newest).getByRole('button', { name: 'Show results' }).getAttribute('aria-expanded')).toBe(
      'false',
    );
    expect((within(linked).getByLabelText('Problem') as HTMLSelectElement).value).toBe('NO_TTL');
    const table = await within(linked).findByRole('table', { name: /Users with problems \(NO_TTL\)/ });
    expect(within(table).getByRole('link', { name: 'user_NoTtl' })).toBeTruthy();
    expect(
      requests.some((r) => r.path === '/api/jobs/00job000000xyz' && r.search.includes('problem=NO_TTL')),
    ).toBe(true);
    expect(requests.some((r) => r.path === '/api/jobs/00job000001abc')).toBe(false);

    // opening another job is a new history entry, without the other job's filter
    await user.click(within(newest).getByRole('button', { name: 'Show results' }));
    expect(router.state.location.search).toBe('?job=00job000001abc');
    expect(within(linked).getByRole('button', { name: 'Show results' })).toBeTruthy();

    await router.navigate(-1);
    expect(router.state.location.search).toBe('?job=00job000000xyz&problem=NO_TTL');
    await waitFor(() =>
      expect(within(linked).getByRole('button', { name: 'Hide results' }).getAttribute('aria-expanded')).toBe(
        'true',
      ),
    );
    expect((within(linked).getByLabelText('Problem') as HTMLSelectElement).value).toBe('NO_TTL');
  });

  it('a linked job older than the list is read on its own and opened', { timeout: 20_000 }, async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [job()] },
      'GET /api/jobs/00job000000old': {
        ...job({ id: '00job000000old', type: 'rebuild', state: 'completed' }),
        results: [{ userId: 'user_Old1', outcome: 'refreshed', problems: ['NO_TTL'], broken: false }],
      },
    });
    renderApp('/jobs?job=00job000000old');
    const linked = await screen.findByRole('article', { name: /Rebuild cache/ }, { timeout: 5000 });
    expect(within(linked).getByRole('button', { name: 'Hide results' })).toBeTruthy();
    expect(await within(linked).findByRole('link', { name: 'user_Old1' })).toBeTruthy();
    expect(screen.getByRole('article', { name: /Health sweep/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Show results' })).toBeTruthy();
  });

  it('counts that add up, by what happened, with reasons; how long the job took', {
    timeout: 20_000,
  }, async () => {
    const rebuild = job({
      id: '00job000003abc',
      type: 'rebuild',
      state: 'completed',
      progress: { done: 198, total: 198, failed: 2 },
      startedAt: '2026-01-02T03:04:05.000Z',
      finishedAt: '2026-01-02T03:07:15.000Z',
      tally: { repaired: 36, unchanged: 150, 'skipped:no-stripe-customer': 10, failed: 2 },
    });
    stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [rebuild] },
      'GET /api/jobs/00job000003abc': { ...rebuild, results: [] },
    });
    renderApp('/jobs');
    const card = await screen.findByRole('article', { name: /Rebuild cache/ }, { timeout: 5000 });
    expect(within(card).getByText(/198 of 198 users checked · Took 3 min 10 s/)).toBeTruthy();
    const counts = within(card).getByRole('list', { name: 'What happened to them' });
    const items = within(counts)
      .getAllByRole('listitem')
      .map((item) => item.textContent);
    expect(items).toEqual([
      '36 repaired',
      '150 already right (expiry renewed)',
      '10 skipped (no Stripe customer)',
      '2 failed',
    ]);
    expect(items.reduce((sum, text) => sum + Number.parseInt(text ?? '', 10), 0)).toBe(198);
  });

  it('a job still counting its users says so instead of "0 of 0"', { timeout: 20_000 }, async () => {
    const counting = job({ phase: 'collecting', progress: { done: 0, total: 0, failed: 0 }, tally: {} });
    stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [counting] },
      'GET /api/jobs/00job000001abc': { ...counting, results: [] },
    });
    renderApp('/jobs');
    expect(await screen.findByText(/Counting users…/, {}, { timeout: 5000 })).toBeTruthy();
    expect(screen.queryByText(/0 of 0/)).toBeNull();
  });

  it('bulk refresh: the plan names the users, starts with its planId; a changed plan asks again in the same dialog', {
    timeout: 20_000,
  }, async () => {
    const planned = (planId: string, upToDate: boolean) => ({
      plan: {
        type: 'bulk-refresh',
        users: [
          { userId: 'user_A1', email: 'ann@example.com', name: 'Ann A', planId, upToDate, skip: null },
          {
            userId: 'user_B2',
            email: null,
            name: null,
            planId: null,
            upToDate: false,
            skip: 'NOTHING_TO_CACHE',
          },
        ],
      },
      planId: `job_${planId}`,
      jobId: null,
    });
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [] },
      'POST /api/jobs': (request: { body: { dryRun?: boolean; planId?: string } }) => {
        if (request.body.dryRun) return planned('p1', false);
        if (request.body.planId === 'job_p1')
          return {
            status: 409,
            body: {
              error: { code: 'PLAN_CHANGED', message: 'The plan changed.', details: planned('p2', true) },
            },
          };
        return { status: 202, body: { jobId: '00job000009abc', planId: request.body.planId } };
      },
    });
    const { user } = renderApp('/jobs');
    await user.click(await screen.findByRole('button', { name: 'Bulk refresh' }, { timeout: 5000 }));
    await user.type(screen.getByLabelText('User ids (user_…), one per line'), 'user_A1 user_B2');
    await user.click(screen.getByRole('button', { name: 'Preview the refresh' }));

    const dialog = await screen.findByRole('dialog', { name: 'Refresh 2 users?' });
    const users = within(dialog).getByRole('list', { name: 'Users in this plan' });
    expect(within(users).getByText(/ann@example.com/).textContent).toContain('refreshed');
    expect(within(users).getByText(/user_B2/).textContent).toContain('skipped (nothing to cache)');

    await user.click(within(dialog).getByRole('button', { name: 'Start bulk refresh' }));
    const changed = await within(dialog).findByRole('alert');
    expect(changed.textContent).toMatch(
      /This changed since you looked: 1 user has new values to write: ann@example.com \(now already up to date\)/,
    );
    await user.click(within(dialog).getByRole('button', { name: 'Start bulk refresh' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const starts = requests.filter((r) => r.method === 'POST' && r.path === '/api/jobs').map((r) => r.body);
    expect(starts).toEqual([
      { type: 'bulk-refresh', userIds: ['user_A1', 'user_B2'], dryRun: true },
      { type: 'bulk-refresh', userIds: ['user_A1', 'user_B2'], planId: 'job_p1' },
      { type: 'bulk-refresh', userIds: ['user_A1', 'user_B2'], planId: 'job_p2' },
    ]);
  });

  it('bulk refresh of one user asks "Refresh 1 user?"', { timeout: 20_000 }, async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [] },
      'POST /api/jobs': {
        plan: {
          type: 'bulk-refresh',
          users: [{ userId: 'user_A1', email: null, name: null, planId: 'p1', upToDate: false, skip: null }],
        },
        planId: 'job_p1',
        jobId: null,
      },
    });
    const { user } = renderApp('/jobs');
    await user.click(await screen.findByRole('button', { name: 'Bulk refresh' }, { timeout: 5000 }));
    await user.type(screen.getByLabelText('User ids (user_…), one per line'), 'user_A1');
    await user.click(screen.getByRole('button', { name: 'Preview the refresh' }));
    expect(await screen.findByRole('dialog', { name: 'Refresh 1 user?' })).toBeTruthy();
  });

  it('a sweep filtered by problem: "Refresh these N" plans exactly those users; the CSV follows the filter and is named after the job', {
    timeout: 20_000,
  }, async () => {
    const sweep = job({ state: 'completed', finishedAt: '2026-01-02T03:05:05.000Z' });
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [sweep] },
      'GET /api/jobs/00job000001abc': (request: { search: string }) => ({
        ...sweep,
        results:
          new URLSearchParams(request.search).get('problem') === 'NO_TTL'
            ? ['user_T1', 'user_T2'].map((userId) => ({
                userId,
                email: `${userId}@example.com`,
                name: null,
                outcome: 'diagnosed',
                problems: ['NO_TTL'],
                broken: false,
              }))
            : [],
      }),
      'POST /api/jobs': { plan: { type: 'bulk-refresh', users: [] }, planId: 'job_x', jobId: null },
      'GET /api/jobs/00job000001abc/results.csv': { csv: 'userId' },
    });
    // jsdom has no blob URLs: the download's file name is what the test reads
    vi.stubGlobal(
      'URL',
      class extends URL {
        static override createObjectURL = () => 'blob:csv';
        static override revokeObjectURL = () => {};
      },
    );
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const { user } = renderApp('/jobs?job=00job000001abc&problem=NO_TTL');
    await user.click(await screen.findByRole('button', { name: 'Refresh these 2' }, { timeout: 5000 }));
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
        type: 'bulk-refresh',
        userIds: ['user_T1', 'user_T2'],
        dryRun: true,
      }),
    );
    await user.click(await screen.findByRole('button', { name: 'Cancel' }));

    await user.click(screen.getByRole('button', { name: 'Download CSV (NO_TTL)' }));
    await waitFor(() => expect(clicked).toEqual([jobCsvFileName('sweep', '2026-01-02T03:04:05.000Z')]));
    expect(clicked[0]).toMatch(/^sweep-2026-01-0[12]-\d{4}\.csv$/);
    const csv = requests.find((r) => r.path.endsWith('/results.csv'));
    expect(csv?.search).toBe('?problem=NO_TTL');
  });

  it('a job that would overlap one that writes is warned about, in its dialog and on the page', {
    timeout: 20_000,
  }, async () => {
    const rebuild = job({ id: '00job000004abc', type: 'rebuild', createdAt: '2026-01-02T03:00:00.000Z' });
    stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [job(), rebuild] },
      'GET /api/jobs/00job000001abc': { ...job(), results: [] },
    });
    const { user } = renderApp('/jobs');
    const together = await screen.findByText(/Jobs running at once:/, {}, { timeout: 5000 });
    expect(together.closest('p')?.textContent).toMatch(
      /Health sweep .*Rebuild cache .*At least one of them writes/,
    );

    await user.click(screen.getByRole('button', { name: 'Bulk refresh' }));
    const dialog = await screen.findByRole('dialog', { name: 'Refresh a list of users' });
    const note = within(dialog).getByRole('note');
    expect(note.textContent).toMatch(
      /2 other jobs are still running: Health sweep .*, Rebuild cache .*This job writes/,
    );
  });

  it('rebuild (admin): names how many users it touches, asks for that number, and asks again when Clerk changed meanwhile', {
    timeout: 20_000,
  }, async () => {
    const plan = (users: number) => ({
      plan: { type: 'rebuild', users },
      planId: `job_rebuild_${users}`,
      jobId: null,
    });
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/me': { ...fixtures.me, name: 'Ada Admin', role: 'admin' },
      'GET /api/jobs': { jobs: [] },
      'POST /api/jobs': (request: { body: { dryRun?: boolean; planId?: string } }) => {
        if (request.body.dryRun) return plan(198);
        if (request.body.planId === 'job_rebuild_198')
          return {
            status: 409,
            body: { error: { code: 'PLAN_CHANGED', message: 'The plan changed.', details: plan(199) } },
          };
        return { status: 202, body: { jobId: '00job000005abc', planId: request.body.planId } };
      },
    });
    const { user } = renderApp('/jobs');
    await user.click(await screen.findByRole('button', { name: 'Rebuild cache' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog', { name: 'Rebuild the whole cache?' });
    expect(dialog.textContent).toMatch(/Touches 198 users/);
    const start = within(dialog).getByRole('button', { name: 'Start rebuild' }) as HTMLButtonElement;
    expect(start.disabled).toBe(true);
    await user.type(within(dialog).getByRole('textbox', { name: 'Type 198 to confirm' }), '198');
    await user.click(start);

    expect((await within(dialog).findByRole('alert')).textContent).toMatch(
      /This changed since you looked: Clerk now has 199 users, not 198\. Nothing was started\./,
    );
    expect(dialog.textContent).toMatch(/Touches 199 users/);
    expect(start.disabled).toBe(true);
    await user.type(within(dialog).getByRole('textbox', { name: 'Type 199 to confirm' }), '199');
    await user.click(start);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { type: 'rebuild', dryRun: true },
      { type: 'rebuild', planId: 'job_rebuild_198' },
      { type: 'rebuild', planId: 'job_rebuild_199' },
    ]);
  });

  it('a session sweep names each paying customer, and what a repair wrote is one click away', {
    timeout: 20_000,
  }, async () => {
    const sweep = job({
      id: '00job000006abc',
      type: 'session-sweep',
      state: 'completed',
      sessionSweep: { action: 'fix', since: '2026-01-01T00:00:00.000Z', checked: 40 },
      tally: { fixed: 1 },
    });
    stubFetch({
      ...signedInRoutes,
      'GET /api/jobs': { jobs: [sweep] },
      'GET /api/jobs/00job000006abc': {
        ...sweep,
        sessionResults: [
          {
            sessionId: 'cs_test_a1',
            customerEmail: 'payer@example.com',
            outcome: 'fixed',
            code: 'WEBHOOK_MISSING',
            message: 'Marked as failed.',
            auditId: 'aud1',
          },
        ],
      },
      'GET /api/jobs/00job000006abc/changes/cs_test_a1': {
        target: 'cs_test_a1',
        auditId: 'aud1',
        changes: [{ key: 'webhook:cs_test_a1', before: null, after: '{"status":"error"}' }],
      },
    });
    const { user } = renderApp('/jobs');
    const table = await screen.findByRole('table', { name: 'Unprocessed paid sessions' }, { timeout: 5000 });
    const row = within(within(table).getByRole('link', { name: 'cs_test_a1' }).closest('tr') as HTMLElement);
    expect(row.getByText('payer@example.com')).toBeTruthy();
    await user.click(row.getByRole('button', { name: 'Show changes for cs_test_a1' }));
    const dialog = await screen.findByRole('dialog', { name: 'What the job changed for cs_test_a1' });
    const changes = await within(dialog).findByRole('list', { name: 'Changes' });
    expect(within(changes).getByText('webhook:cs_test_a1')).toBeTruthy();
    expect(within(changes).getByText('created')).toBeTruthy();
  });
});
