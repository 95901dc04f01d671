import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
  finishedAt: null,
  summary: { withProblems: 120, byCode: { NO_TTL: 30, CUSTOMER_MISSING: 20 } },
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
    expect(screen.getByText(/500 of 2,000 users done/)).toBeTruthy();
    const table = await screen.findByRole('table');
    expect(within(table).getByRole('link', { name: 'user_A1' }).getAttribute('href')).toBe('/users/user_A1');

    await user.click(screen.getByRole('button', { name: 'Health sweep' }));
    expect(requests.some((r) => r.method === 'POST' && r.path === '/api/jobs')).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(requests.some((r) => r.method === 'DELETE' && r.path === '/api/jobs/00job000001abc')).toBe(true);
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
});
