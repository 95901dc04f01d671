import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setToken } from '../../api/token';
import { RECENT_LOOKUPS_KEY } from '../../hooks/useRecentLookups';
import { renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const USER = 'user_2NNEqL2nrIRdJ194ndJqAHwEfxC';
const CUSTOMER = 'cus_Q1w2E3r4';
const EMAIL = 'ada.lovelace@example.com';

const record = {
  stripeCustomerId: CUSTOMER,
  email: EMAIL,
  userId: USER,
  name: 'Ada Lovelace',
  subscriptions: ['sub_1'],
  defaultPaymentMethod: null,
  created: 1_700_000_000,
  updatedAt: 1_700_000_000_000,
};

const keys = [
  { key: `user:${USER}`, exists: true, ttl: 86_000, raw: CUSTOMER },
  { key: `customer:${CUSTOMER}`, exists: false, ttl: -2, raw: null },
  { key: `email:${EMAIL}`, exists: true, ttl: -1, raw: CUSTOMER },
];

const healthy = {
  userId: USER,
  healthy: true,
  customerId: CUSTOMER,
  record,
  ttl: 86_000,
  problems: [],
  keys,
};
const broken = {
  ...healthy,
  healthy: false,
  record: null,
  problems: [
    {
      code: 'CUSTOMER_MISSING',
      severity: 'error',
      message: 'The mapping points to a customer record that does not exist. Refresh the cache.',
      fix: 'refresh',
    },
  ],
};

const clerk = { id: USER, primaryEmail: EMAIL, firstName: 'Ada', lastName: 'Lovelace' };
const stripe = {
  id: CUSTOMER,
  deleted: false,
  email: EMAIL,
  name: 'Ada Lovelace',
  userId: USER,
  subscriptions: [{ id: 'sub_1', status: 'active' }],
};
const inSync = { userId: USER, inSync: true, clerk, stripe, cached: record, differences: [], problems: [] };
const outOfSync = {
  ...inSync,
  inSync: false,
  cached: { ...record, email: 'old@example.com' },
  differences: [{ field: 'email', cache: 'old@example.com', clerk: EMAIL, stripe: EMAIL }],
  problems: [
    {
      code: 'EMAIL_MISMATCH_CLERK',
      severity: 'error',
      message: 'The cached email differs from Clerk’s primary email. Refresh the cache.',
      fix: 'refresh',
    },
  ],
};

const plan = [
  { key: `customer:${CUSTOMER}`, before: null, after: JSON.stringify(record), unchanged: false },
  { key: `user:${USER}`, before: CUSTOMER, after: CUSTOMER, unchanged: true },
];

/** The routes every view of a known user reads besides health and sync: purchases, timeline, dashboards. */
const userRoutes = {
  ...signedInRoutes,
  'GET /api/dashboards': { stripe: 'https://dashboard.stripe.com/test', clerkUsers: null },
  [`GET /api/users/${USER}/sessions`]: { customerId: CUSTOMER, email: EMAIL, sessions: [] },
  [`GET /api/users/${USER}/timeline`]: { items: [] },
};

const section = async (name: string) => {
  // Generous: the first render loads the lazily split page, slow when the whole suite runs at once.
  const heading = await screen.findByRole('heading', { level: 2, name }, { timeout: 5000 });
  const found = heading.closest('section');
  if (!found) throw new Error(`no section ${name}`);
  return within(found);
};

describe('User page', () => {
  it('shows a healthy, in-sync user: email heading, badges, the field table and raw values', async () => {
    stubFetch({
      ...userRoutes,
      [`GET /api/users/${USER}/health`]: healthy,
      [`GET /api/users/${USER}/sync`]: inSync,
    });
    renderApp(`/users/${USER}`);

    expect(await screen.findByRole('heading', { level: 1, name: EMAIL }, { timeout: 5000 })).toBeTruthy();
    const health = await section('Cache health');
    expect(await health.findByText('Healthy')).toBeTruthy();
    const sync = await section('Sync status');
    expect(await sync.findByText('In sync')).toBeTruthy();
    // one verdict over both panels (issue #21)
    expect(screen.getByText('Verdict').closest('p')?.textContent).toMatch(/Verdict\s*✓\s*OK\s/);

    const table = sync.getByRole('table');
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((cell) => cell.textContent);
    expect(headers).toEqual(['Field', 'Cache', 'Clerk', 'Stripe']);
    expect(within(table).getByRole('rowheader', { name: 'Name' })).toBeTruthy();
    expect(within(table).queryByText(/differs/)).toBeNull();
    // every customer and subscription id shown can be copied, each button named after its kind
    const subscriptions = within(
      within(table).getByRole('rowheader', { name: 'Subscriptions' }).closest('tr') as HTMLElement,
    );
    expect(subscriptions.getAllByText('sub_1')).toHaveLength(2);
    expect(subscriptions.getByText(/\(active\)/)).toBeTruthy();
    expect(subscriptions.getAllByRole('button', { name: 'Copy subscription id' })).toHaveLength(2);
    expect(within(table).getAllByRole('button', { name: 'Copy customer id' })).toHaveLength(2);

    const raw = await section('Raw Redis values');
    expect(raw.getByText(`user:${USER}`)).toBeTruthy();
    expect(raw.getByText('23 h 53 min left')).toBeTruthy();
    expect(raw.getByText('key does not exist')).toBeTruthy();
    expect(raw.getByText('no expiry')).toBeTruthy();

    expect(screen.getByRole('button', { name: 'Copy user id' })).toBeTruthy();
    // The visit is remembered for the Users page.
    await waitFor(() => expect(window.localStorage.getItem(RECENT_LOOKUPS_KEY)).toContain(EMAIL));
  });

  it('shows problems with their messages and codes, and marks the differing fields', async () => {
    stubFetch({
      ...userRoutes,
      [`GET /api/users/${USER}/health`]: broken,
      [`GET /api/users/${USER}/sync`]: outOfSync,
    });
    renderApp(`/users/${USER}`);

    const health = await section('Cache health');
    expect(await health.findByText('Problems')).toBeTruthy();
    expect(health.getByText(/points to a customer record that does not exist/)).toBeTruthy();
    expect(health.getByText('CUSTOMER_MISSING')).toBeTruthy();

    const sync = await section('Sync status');
    expect(await sync.findByText('Out of sync')).toBeTruthy();
    expect(sync.getByText('EMAIL_MISMATCH_CLERK')).toBeTruthy();
    // healthy or not, out of sync: the one verdict says what to do
    expect(screen.getByText('Verdict').closest('p')?.textContent).toContain('Needs a refresh');
    const emailRow = sync.getByRole('rowheader', { name: /Email/ }).closest('tr');
    expect(emailRow?.textContent).toContain('differs');
    expect(emailRow?.textContent).toContain('old@example.com');
    const nameRow = sync.getByRole('rowheader', { name: 'Name' }).closest('tr');
    expect(nameRow?.textContent).not.toContain('differs');
  });

  it('plans a refresh, lists the writes, applies it, re-reads the panels and offers undo', async () => {
    let state: 'broken' | 'fixed' = 'broken';
    const { requests } = stubFetch({
      ...userRoutes,
      [`GET /api/users/${USER}/health`]: () => (state === 'broken' ? broken : healthy),
      [`GET /api/users/${USER}/sync`]: () => (state === 'broken' ? outOfSync : inSync),
      [`POST /api/users/${USER}/refresh`]: (request: { body: unknown }) => {
        const dryRun = (request.body as { dryRun?: boolean }).dryRun === true;
        if (!dryRun) state = 'fixed';
        return {
          plan,
          planId: 'plan_1',
          upToDate: false,
          applied: !dryRun,
          auditId: dryRun ? null : 'audit_1',
        };
      },
      'POST /api/audit/audit_1/undo': (request: { body: unknown }) => {
        const preview = (request.body as { dryRun?: boolean }).dryRun === true;
        if (!preview) state = 'broken';
        const undoPlan = [{ key: `customer:${CUSTOMER}`, before: '{}', after: null, unchanged: false }];
        return {
          plan: undoPlan,
          planId: 'undo_plan_1',
          restored: [`customer:${CUSTOMER}`],
          applied: !preview,
          auditId: preview ? null : 'audit_2',
        };
      },
    });
    const { user } = renderApp(`/users/${USER}`);

    expect(await (await section('Cache health')).findByText('Problems')).toBeTruthy();
    await user.click(await screen.findByRole('button', { name: 'Refresh cache' }, { timeout: 5000 }));

    const dialog = await screen.findByRole('dialog', { name: `Refresh the cache for ${EMAIL}?` });
    const writes = within(dialog).getByRole('list', { name: 'Planned writes' });
    const items = within(writes).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain(`customer:${CUSTOMER}`);
    expect(items[0]?.textContent).toContain('(does not exist)');
    // a new key reads as its fields added (issue #21: diffs, not blobs)
    expect(items[0]?.textContent).toMatch(/stripeCustomerId\s*added/);
    expect(items[1]?.textContent).toContain(`user:${USER}`);
    expect(items[1]?.textContent).toContain('unchanged');
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ dryRun: true }]);

    await user.click(within(dialog).getByRole('button', { name: 'Refresh cache' }));
    expect(await (await section('Cache health')).findByText('Healthy')).toBeTruthy();
    expect(await (await section('Sync status')).findByText('In sync')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    // the apply carries the id of the plan shown, so the server writes that plan or nothing
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { dryRun: true },
      { planId: 'plan_1' },
    ]);

    await user.click(await screen.findByRole('button', { name: 'Undo' }));
    // undo is previewed and confirmed too: the dialog counts what it restores
    const undoDialog = await screen.findByRole('dialog', { name: 'Undo this change?' });
    expect(undoDialog.textContent).toContain('Restores 1 key');
    await user.click(within(undoDialog).getByRole('button', { name: 'Undo' }));
    expect(await (await section('Cache health')).findByText('Problems')).toBeTruthy();
    expect(await screen.findByText(/Refresh undone/)).toBeTruthy();
    expect(
      requests.filter((r) => r.method === 'POST' && r.path.endsWith('/undo')).map((r) => r.body),
    ).toEqual([{ dryRun: true }, { planId: 'undo_plan_1' }]);
    expect(screen.queryByRole('button', { name: 'Undo' })).toBeNull();
  });

  it('shows the new plan in the same dialog when it changed since the preview, and applies it on a second yes', async () => {
    const changedPlan = plan.map((write, index) =>
      index === 0
        ? { ...write, after: JSON.stringify({ stripeCustomerId: CUSTOMER, name: 'New Name' }) }
        : write,
    );
    const { requests } = stubFetch({
      ...userRoutes,
      [`GET /api/users/${USER}/health`]: broken,
      [`GET /api/users/${USER}/sync`]: outOfSync,
      [`POST /api/users/${USER}/refresh`]: (request: { body: unknown }) => {
        const body = request.body as { dryRun?: boolean; planId?: string };
        if (body.dryRun) return { plan, planId: 'plan_1', upToDate: false, applied: false, auditId: null };
        if (body.planId === 'plan_1')
          return {
            status: 409,
            body: {
              error: {
                code: 'PLAN_CHANGED',
                message: 'This changed since you looked; nothing was written.',
                details: { plan: changedPlan, planId: 'plan_2' },
              },
            },
          };
        return { plan: changedPlan, planId: 'plan_2', upToDate: false, applied: true, auditId: 'audit_9' };
      },
    });
    const { user } = renderApp(`/users/${USER}`);
    await user.click(await screen.findByRole('button', { name: 'Refresh cache' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Refresh cache' }));

    const notice = await within(dialog).findByText(/This changed since you looked/);
    expect(notice.closest('[role="alert"]')?.textContent).toContain(`customer:${CUSTOMER}`);
    expect(within(dialog).getByRole('list', { name: 'Planned writes' }).textContent).toContain('New Name');

    await user.click(within(dialog).getByRole('button', { name: 'Refresh cache' }));
    expect(await screen.findByText(/Cache refreshed/)).toBeTruthy();
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { dryRun: true },
      { planId: 'plan_1' },
      { planId: 'plan_2' },
    ]);
  });

  it('"Remove keys" shows the new plan in the same dialog when it changed since the preview, and removes it on a second yes', async () => {
    const legacy = `stripe:user:${USER}`;
    const withLegacyKeys = {
      ...healthy,
      healthy: false,
      problems: [
        {
          code: 'LEGACY_KEYS',
          severity: 'warning',
          message: 'Keys of an older layout are still in Redis. Remove them.',
          fix: 'remove',
        },
      ],
    };
    const removal = [{ key: legacy, before: CUSTOMER, reason: 'LEGACY_KEYS' }];
    const changedRemoval = [
      { key: legacy, before: 'cus_Z9y8X7w6', reason: 'LEGACY_KEYS' },
      { key: `stripe:customer:${CUSTOMER}`, before: USER, reason: 'LEGACY_KEYS' },
    ];
    const { requests } = stubFetch({
      ...userRoutes,
      [`GET /api/users/${USER}/health`]: withLegacyKeys,
      [`GET /api/users/${USER}/sync`]: inSync,
      [`POST /api/users/${USER}/remove`]: (request: { body: unknown }) => {
        const body = request.body as { dryRun?: boolean; planId?: string };
        if (body.dryRun) return { plan: removal, planId: 'remove_1', applied: false, auditId: null };
        if (body.planId === 'remove_1')
          return {
            status: 409,
            body: {
              error: {
                code: 'PLAN_CHANGED',
                message: 'This changed since you looked; nothing was written.',
                details: { plan: changedRemoval, planId: 'remove_2', applied: false, auditId: null },
              },
            },
          };
        return { plan: changedRemoval, planId: 'remove_2', applied: true, auditId: 'audit_7' };
      },
    });
    const { user } = renderApp(`/users/${USER}`);
    await user.click(await screen.findByRole('button', { name: 'Remove keys' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove these keys?' });
    expect(within(dialog).getByRole('list', { name: 'Keys to remove' }).textContent).toContain(legacy);
    await user.click(within(dialog).getByRole('button', { name: 'Remove keys' }));

    const notice = await within(dialog).findByText(/This changed since you looked/);
    const alert = notice.closest('[role="alert"]')?.textContent;
    expect(alert).toContain(legacy);
    expect(alert).toContain(`stripe:customer:${CUSTOMER}`);
    expect(within(dialog).getByRole('list', { name: 'Keys to remove' }).textContent).toContain(
      `stripe:customer:${CUSTOMER}`,
    );

    await user.click(within(dialog).getByRole('button', { name: 'Remove keys' }));
    expect(await screen.findByText(/Removed 2 keys/)).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { dryRun: true },
      { planId: 'remove_1' },
      { planId: 'remove_2' },
    ]);
  });

  it('Cancel closes the plan without writing', async () => {
    const { requests } = stubFetch({
      ...userRoutes,
      [`GET /api/users/${USER}/health`]: broken,
      [`GET /api/users/${USER}/sync`]: outOfSync,
      [`POST /api/users/${USER}/refresh`]: {
        plan,
        planId: 'plan_1',
        upToDate: false,
        applied: false,
        auditId: null,
      },
    });
    const { user } = renderApp(`/users/${USER}`);
    await user.click(await screen.findByRole('button', { name: 'Refresh cache' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('shows both versions when undo meets a later write', async () => {
    stubFetch({
      ...userRoutes,
      [`GET /api/users/${USER}/health`]: broken,
      [`GET /api/users/${USER}/sync`]: outOfSync,
      [`POST /api/users/${USER}/refresh`]: {
        plan,
        planId: 'plan_1',
        upToDate: false,
        applied: true,
        auditId: 'audit_1',
      },
      'POST /api/audit/audit_1/undo': {
        status: 409,
        body: {
          error: {
            code: 'UNDO_CONFLICT',
            message: 'The keys changed after the refresh; nothing was restored.',
            details: {
              expected: { [`user:${USER}`]: CUSTOMER },
              current: { [`user:${USER}`]: 'cus_Other1' },
            },
          },
        },
      },
    });
    const { user } = renderApp(`/users/${USER}`);
    await user.click(await screen.findByRole('button', { name: 'Refresh cache' }, { timeout: 5000 }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Refresh cache' }),
    );
    await user.click(await screen.findByRole('button', { name: 'Undo' }));

    const alert = await screen.findByText(/nothing was restored/);
    const box = alert.closest('[role="alert"]');
    expect(box?.textContent).toContain('What the change left');
    expect(box?.textContent).toContain('cus_Other1');
    expect(box?.textContent).toContain(CUSTOMER);
  });

  it('hides "Refresh cache" from support', async () => {
    stubFetch({
      ...userRoutes,
      'GET /api/me': { id: 'Sam Support', name: 'Sam Support', role: 'support', permissions: ['read'] },
      [`GET /api/users/${USER}/health`]: broken,
      [`GET /api/users/${USER}/sync`]: outOfSync,
    });
    renderApp(`/users/${USER}`);
    expect(await (await section('Cache health')).findByText('Problems')).toBeTruthy();
    expect(await screen.findByText('Sam Support')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Refresh cache' })).toBeNull();
  });

  it("Purchases: each session's diagnosis titled, with its code beside it", async () => {
    stubFetch({
      ...userRoutes,
      [`GET /api/users/${USER}/health`]: healthy,
      [`GET /api/users/${USER}/sync`]: inSync,
      [`GET /api/users/${USER}/sessions`]: {
        customerId: CUSTOMER,
        email: EMAIL,
        sessions: [
          {
            sessionId: 'cs_test_p1',
            created: 1_767_323_045,
            amountTotal: 1999,
            currency: 'usd',
            status: 'complete',
            paymentStatus: 'paid',
            customerEmail: EMAIL,
            guest: false,
            diagnosis: { code: 'WEBHOOK_MISSING', severity: 'error', message: 'No webhook status.' },
          },
        ],
      },
    });
    renderApp(`/users/${USER}`);
    const purchases = await section('Purchases');
    const row = (await purchases.findByText('cs_test_p1')).closest('tr') as HTMLElement;
    expect(within(row).getByText('Webhook status missing')).toBeTruthy();
    expect(within(row).getByText('WEBHOOK_MISSING')).toBeTruthy();
  });

  it('says "No such user" for an unknown id, with the id as the heading', async () => {
    const notFound = {
      status: 404,
      body: { error: { code: 'USER_NOT_FOUND', message: `No user ${USER}.` } },
    };
    stubFetch({
      ...signedInRoutes,
      [`GET /api/users/${USER}/health`]: notFound,
      [`GET /api/users/${USER}/sync`]: notFound,
    });
    renderApp(`/users/${USER}`);
    expect(
      await screen.findByRole('heading', { level: 2, name: 'No such user' }, { timeout: 5000 }),
    ).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: USER })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Cache health' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Refresh cache' })).toBeNull();
    // a well-formed id the server does not know is no lookup to go back to
    expect(localStorage.getItem(RECENT_LOOKUPS_KEY) ?? '').not.toContain(USER);
  });

  it('shows the id while loading', async () => {
    const { fetchMock } = stubFetch(signedInRoutes);
    const answer = fetchMock.getMockImplementation();
    vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) =>
      String(input).includes('/api/users/') ? new Promise<Response>(() => {}) : answer?.(input, init),
    );
    renderApp(`/users/${USER}`);
    expect(await screen.findByRole('heading', { level: 1, name: USER }, { timeout: 5000 })).toBeTruthy();
    expect(await screen.findByText('Reading the cache…')).toBeTruthy();
    expect(screen.getByText('Comparing the cache with Clerk and Stripe…')).toBeTruthy();
    // not yet known to exist: not saved as a recent lookup
    expect(localStorage.getItem(RECENT_LOOKUPS_KEY) ?? '').not.toContain(USER);
  });
});
