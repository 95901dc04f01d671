import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../api/token';
import { fixtures, renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const item = (n: number) => ({
  sessionId: `cs_test_page${n}`,
  preview: `Prompt number ${n}`,
  length: 16,
  timestamp: `2025-06-0${n}T10:00:00.000Z`,
  layout: 'session-only',
  diagnosisCode: 'OK',
  webhookStatus: 'processing',
});

const stats = {
  totalPrompts: 2,
  totalLength: 612,
  averageLength: 306,
  longest: { sessionId: 'cs_test_page1', length: 600, preview: 'Long one', date: null },
  shortest: { sessionId: 'cs_test_page2', length: 12, preview: 'Short one', date: null },
  histogram: [
    { bucket: '0-100', count: 1, percentage: 50 },
    { bucket: '101-500', count: 0, percentage: 0 },
    { bucket: '501-1000', count: 1, percentage: 50 },
    { bucket: '1001-2000', count: 0, percentage: 0 },
    { bucket: '2000+', count: 0, percentage: 0 },
  ],
  byDiagnosis: { OK: 1, WEBHOOK_MISSING: 1 },
  byWebhookStatus: { processing: 1, none: 1 },
  perDay: [{ date: '2025-06-01', count: 2 }],
  undated: 0,
  scannedKeys: 40,
  unreadable: 0,
  generatedAt: '2025-06-01T12:00:00.000Z',
  durationMs: 3,
};

describe('Sessions page', () => {
  it('lists recent prompts with links, pages on with the cursor, and shows the stats', {
    timeout: 20_000,
  }, async () => {
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/prompts': (request) =>
        request.search.includes('cursor=next1')
          ? { prompts: [item(3)], cursor: null }
          : { prompts: [item(1), item(2)], cursor: 'next1' },
      'GET /api/stats': stats,
    });
    const { user } = renderApp('/sessions');

    // The page is lazily loaded with recharts, which takes a moment to import in jsdom.
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Sessions' }, { timeout: 10_000 }),
    ).toBeTruthy();
    const recent = within(await screen.findByRole('region', { name: 'Recent prompts' }));
    const link = await recent.findByRole('link', { name: 'cs_test_page1' });
    expect(link.getAttribute('href')).toBe('/sessions/cs_test_page1');
    await user.click(recent.getByRole('button', { name: 'Next page' }));
    expect(await recent.findByRole('link', { name: 'cs_test_page3' })).toBeTruthy();
    expect(requests.some((request) => request.search.includes('cursor=next1'))).toBe(true);
    await user.click(recent.getByRole('button', { name: 'Previous page' }));
    expect(await recent.findByRole('link', { name: 'cs_test_page1' })).toBeTruthy();

    const statistics = within(await screen.findByRole('region', { name: 'Prompt statistics' }));
    expect(await statistics.findByText('306.0 characters')).toBeTruthy();
    const histogram = within(statistics.getByRole('table', { name: 'Length histogram' }));
    expect(histogram.getByRole('rowheader', { name: '501-1000' })).toBeTruthy();
    expect(histogram.getAllByText('50%')).toHaveLength(2);
    const byDiagnosis = statistics.getByText('By diagnosis (from Redis alone)').nextElementSibling;
    expect(byDiagnosis?.textContent).toContain('Webhook status missing WEBHOOK_MISSING: 1');
    expect(byDiagnosis?.textContent).toContain('OK OK: 1');
    const byWebhook = statistics.getByText('By webhook status').nextElementSibling;
    expect(byWebhook?.textContent).toBe('processing: 1, none: 1');
  });
});

const FIX_MESSAGE = 'Webhook processing failed - payment completed but generation not started';

const unprocessed = (n: number, extra: Record<string, unknown> = {}) => ({
  sessionId: `cs_test_unpaid${n}`,
  created: Math.floor(Date.now() / 1000) - 3 * 3600,
  amountTotal: 1999,
  currency: 'usd',
  customerEmail: `buyer${n}@example.com`,
  diagnosis: {
    code: 'WEBHOOK_MISSING',
    severity: 'error',
    message: 'Stripe says it is paid, but the webhook never recorded a status.',
    fixes: ['fix-session', 'generate'],
    layout: 'three-key',
  },
  eventIds: n === 1 ? ['evt_failed1'] : [],
  ...extra,
});

const listPage = (sessions: unknown[], cursor: string | null = null) => ({
  sessions,
  failedEvents: [
    {
      id: 'evt_failed1',
      type: 'checkout.session.completed',
      created: 1_760_000_000,
      sessionId: 'cs_test_unpaid1',
    },
  ],
  checked: 100,
  cursor,
  since: '2026-01-01T00:00:00.000Z',
});

const sweepJob = (state: string, done: number) => ({
  id: '00job000009abc',
  type: 'session-sweep',
  state,
  phase: state === 'completed' ? 'finished' : 'processing',
  progress: { done, total: 2, failed: 0 },
  actor: 'Olivia Ops',
  createdAt: '2026-01-02T03:04:05.000Z',
  startedAt: '2026-01-02T03:04:05.000Z',
  finishedAt: null,
  summary: { withProblems: 2, byCode: { WEBHOOK_MISSING: 2 } },
  tally: { fixed: done },
  error: null,
  sessionSweep: { action: 'fix', since: '2026-01-01T00:00:00.000Z', checked: 100 },
  sessionResults:
    done === 0
      ? []
      : [1, 2].map((n) => ({
          sessionId: `cs_test_unpaid${n}`,
          outcome: 'fixed',
          code: 'WEBHOOK_MISSING',
          message: FIX_MESSAGE,
          auditId: `aud${n}`,
        })),
});

/** A Fix all preview (SPEC §3): the sessions the job writes to, of those listed, and the plan's id. */
const sessionPlan = (sessions: number[], listed: number, planId: string) => ({
  plan: {
    type: 'session-sweep',
    action: 'fix',
    since: '2026-01-01T00:00:00.000Z',
    listed,
    sessions: sessions.map((n) => ({
      sessionId: `cs_test_unpaid${n}`,
      customerEmail: `buyer${n}@example.com`,
    })),
  },
  planId,
  jobId: null,
});

const quietRoutes = {
  ...signedInRoutes,
  'GET /api/prompts': { prompts: [], cursor: null },
  'GET /api/stats': { ...stats, totalPrompts: 0 },
};

describe('Unprocessed paid sessions', () => {
  it('ops: lists them, fixes all after typing the count, follows the job and re-reads the list', {
    timeout: 30_000,
  }, async () => {
    let fixed = false;
    let polls = 0;
    const { requests } = stubFetch({
      ...quietRoutes,
      'GET /api/sessions': () => listPage(fixed ? [] : [unprocessed(1), unprocessed(2)]),
      'POST /api/jobs': (request: { body: { dryRun?: boolean } }) =>
        request.body.dryRun
          ? sessionPlan([1, 2], 2, 'job_fix2')
          : { status: 202, body: { jobId: '00job000009abc' } },
      'GET /api/jobs/00job000009abc': () => {
        polls += 1;
        if (polls < 2) return sweepJob('running', 0);
        fixed = true;
        return sweepJob('completed', 2);
      },
    });
    const { user } = renderApp('/sessions?since=2026-01-01T00:00:00.000Z');

    const region = within(
      await screen.findByRole('region', { name: 'Unprocessed paid sessions' }, { timeout: 10_000 }),
    );
    expect(await region.findByText('2 unprocessed paid sessions')).toBeTruthy();
    const table = within(region.getByRole('table', { name: 'Unprocessed paid sessions, newest first' }));
    const link = table.getByRole('link', { name: 'cs_test_unpaid1' });
    expect(link.getAttribute('href')).toBe('/sessions/cs_test_unpaid1');
    const row = within(link.closest('tr') as HTMLElement);
    expect(row.getByText('$19.99')).toBeTruthy();
    expect(row.getByText('buyer1@example.com')).toBeTruthy();
    expect(row.getByText('3 h ago')).toBeTruthy();
    expect(row.getByText('Webhook status missing').textContent).toBe(
      'Webhook status missing WEBHOOK_MISSING',
    );
    expect(row.getByText('evt_failed1')).toBeTruthy();
    expect(requests.find((r) => r.path === '/api/sessions')?.search).toContain(
      'since=2026-01-01T00%3A00%3A00.000Z',
    );

    await user.click(region.getByRole('button', { name: 'Fix all' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Fix all: 2 sessions of 2 listed?' }));
    const apply = dialog.getByRole('button', { name: 'Fix all' }) as HTMLButtonElement;
    expect(apply.disabled).toBe(true);
    await user.type(dialog.getByRole('textbox', { name: 'Type 2 to confirm' }), '2');
    await user.click(apply);
    // the job starts with the plan its dialog showed
    expect(requests.filter((r) => r.method === 'POST' && r.path === '/api/jobs').map((r) => r.body)).toEqual([
      { type: 'session-sweep', since: '2026-01-01T00:00:00.000Z', action: 'fix', dryRun: true },
      { type: 'session-sweep', since: '2026-01-01T00:00:00.000Z', action: 'fix', planId: 'job_fix2' },
    ]);

    expect((await region.findByRole('progressbar')).getAttribute('aria-valuenow')).toBe('0');
    // the job ends (polled every second); the list is read again and is empty
    expect(
      await region.findByRole('region', { name: 'No unprocessed paid sessions' }, { timeout: 5000 }),
    ).toBeTruthy();
    expect(region.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    const results = within(region.getByRole('table', { name: 'Per-session results' }));
    expect(results.getAllByText('Fixed')).toHaveLength(2);
    expect(region.getByText('0 unprocessed paid sessions')).toBeTruthy();
    expect((region.getByRole('button', { name: 'Fix all' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('follows the cursor to the end before offering the bulk actions, and keeps "since" in the URL', {
    timeout: 20_000,
  }, async () => {
    const { requests } = stubFetch({
      ...quietRoutes,
      'GET /api/sessions': (request) =>
        request.search.includes('cursor=cs_test_next')
          ? listPage([unprocessed(3)])
          : listPage([unprocessed(1), unprocessed(2)], 'cs_test_next'),
    });
    const { router } = renderApp('/sessions');
    const region = within(
      await screen.findByRole('region', { name: 'Unprocessed paid sessions' }, { timeout: 10_000 }),
    );
    expect(await region.findByText('3 unprocessed paid sessions')).toBeTruthy();
    expect(region.getByText(/200 completed checkouts checked/)).toBeTruthy();
    expect((region.getByRole('button', { name: 'Generate all' }) as HTMLButtonElement).disabled).toBe(false);
    // with no "since" in the URL the page asks for the last 7 days, pinned once
    const first = new URLSearchParams(requests.find((r) => r.path === '/api/sessions')?.search).get('since');
    expect(Date.now() - Date.parse(first ?? '')).toBeGreaterThan(7 * 86_400_000 - 120_000);

    // jsdom cannot type into a datetime-local field key by key; a browser sends one change like this
    fireEvent.change(region.getByLabelText('Paid since'), { target: { value: '2026-01-15T08:30' } });
    const wanted = new Date('2026-01-15T08:30').toISOString();
    expect(new URLSearchParams(router.state.location.search).get('since')).toBe(wanted);
    await screen.findByText('3 unprocessed paid sessions');
    expect(
      requests.some(
        (r) => new URLSearchParams(r.search).get('since') === wanted && r.path === '/api/sessions',
      ),
    ).toBe(true);
  });

  it('"Fix all" names and asks for the number it will write, not the number listed', {
    timeout: 20_000,
  }, async () => {
    const failedGeneration = {
      code: 'GENERATION_FAILED',
      severity: 'error',
      message: 'The generation failed; the user has no video.',
      fixes: ['generate'],
      layout: 'session-only',
    };
    const { requests } = stubFetch({
      ...quietRoutes,
      'GET /api/sessions': listPage([unprocessed(1), unprocessed(2, { diagnosis: failedGeneration })]),
      'POST /api/jobs': (request: { body: { dryRun?: boolean; planId?: string } }) => {
        if (request.body.dryRun) return sessionPlan([1], 2, 'job_fix1');
        if (request.body.planId === 'job_fix1')
          return {
            status: 409,
            body: {
              error: {
                code: 'PLAN_CHANGED',
                message: 'The plan changed.',
                details: sessionPlan([1, 3], 3, 'job_fix13'),
              },
            },
          };
        return { status: 202, body: { jobId: '00job000009abc' } };
      },
      'GET /api/jobs/00job000009abc': sweepJob('running', 0),
    });
    const { user } = renderApp('/sessions?since=2026-01-01T00:00:00.000Z');
    const region = within(
      await screen.findByRole('region', { name: 'Unprocessed paid sessions' }, { timeout: 10_000 }),
    );
    expect(await region.findByText('2 unprocessed paid sessions')).toBeTruthy();

    await user.click(region.getByRole('button', { name: 'Fix all' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Fix all: 1 session of 2 listed?' }));
    const apply = dialog.getByRole('button', { name: 'Fix all' }) as HTMLButtonElement;
    const confirm = dialog.getByRole('textbox', { name: 'Type 1 to confirm' });
    await user.type(confirm, '2');
    expect(apply.disabled).toBe(true);
    await user.clear(confirm);
    await user.type(confirm, '1');
    expect(apply.disabled).toBe(false);

    // a session arrived meanwhile: the same dialog shows the new plan and asks for the new number
    await user.click(apply);
    const changed = within(await screen.findByRole('dialog', { name: 'Fix all: 2 sessions of 3 listed?' }));
    expect(changed.getByRole('alert').textContent).toMatch(
      /This changed since you looked: 2 sessions to write to, not 1; new: cs_test_unpaid3\./,
    );
    await user.type(changed.getByRole('textbox', { name: 'Type 2 to confirm' }), '2');
    await user.click(changed.getByRole('button', { name: 'Fix all' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(
      requests.filter((r) => r.method === 'POST').map((r) => (r.body as { planId?: string }).planId),
    ).toEqual([undefined, 'job_fix1', 'job_fix13']);
  });

  it('support sees the list but no bulk buttons', { timeout: 20_000 }, async () => {
    stubFetch({
      ...quietRoutes,
      'GET /api/me': { ...fixtures.me, name: 'Sam Support', role: 'support' },
      'GET /api/sessions': listPage([unprocessed(1)]),
    });
    renderApp('/sessions');
    const region = within(
      await screen.findByRole('region', { name: 'Unprocessed paid sessions' }, { timeout: 10_000 }),
    );
    expect(await region.findByText('1 unprocessed paid session')).toBeTruthy();
    expect(region.queryByRole('button', { name: 'Fix all' })).toBeNull();
    expect(region.queryByRole('button', { name: 'Generate all' })).toBeNull();
  });

  it('says what failed when Stripe cannot be read, with a retry', { timeout: 20_000 }, async () => {
    stubFetch({
      ...quietRoutes,
      'GET /api/sessions': {
        status: 400,
        body: { error: { code: 'INVALID_INPUT', message: 'since: must be an ISO date-time' } },
      },
    });
    renderApp('/sessions?since=yesterday');
    const region = within(
      await screen.findByRole('region', { name: 'Unprocessed paid sessions' }, { timeout: 10_000 }),
    );
    const alert = await region.findByRole('alert');
    expect(alert.textContent).toContain('Could not list the unprocessed sessions');
    expect(alert.textContent).toContain('since: must be an ISO date-time');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
