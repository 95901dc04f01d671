import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../api/token';
import { renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const entry = (id: string, actor: string, extra: Record<string, unknown> = {}) => ({
  id,
  at: '2026-01-02T03:04:05.000Z',
  actor,
  role: 'ops',
  action: 'refresh',
  target: 'user_A1',
  before: { 'user:user_A1': null },
  after: { 'user:user_A1': 'cus_B2' },
  result: 'applied',
  ...extra,
});

describe('Audit log page', () => {
  it('lists entries, offers Undo only on own applied entries for ops, and loads more', async () => {
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/audit': (request: { search: string }) =>
        new URLSearchParams(request.search).get('cursor') === 'e3'
          ? { entries: [entry('e4', 'Olivia Ops', { action: 'fix-session' })], cursor: null }
          : {
              entries: [
                entry('e1', 'Olivia Ops', {
                  person: { email: 'ada@example.com', name: 'Ada Lovelace' },
                  before: {
                    'user:user_A1': null,
                    'customer:cus_B2': '{"email":"old@example.com","name":"Ada"}',
                  },
                  after: {
                    'user:user_A1': 'cus_B2',
                    'customer:cus_B2': '{"email":"ada@example.com","name":"Ada"}',
                  },
                }),
                entry('e2', 'Adam Admin'),
                entry('e3', 'Olivia Ops', { undoneBy: 'e9' }),
                // a policy change writes no cache key: nothing to undo, nothing to show as a diff
                entry('e6', 'Olivia Ops', {
                  action: 'policy',
                  target: 'policy:refresh-stale',
                  before: {},
                  after: {},
                  message: 'Policy refresh-stale: enabled false → true.',
                }),
              ],
              cursor: 'e3',
            },
      'POST /api/audit/e1/undo': (request: { body: unknown }) => {
        const preview = (request.body as { dryRun?: boolean }).dryRun === true;
        const plan = [{ key: 'user:user_A1', before: 'cus_New', after: 'cus_Old', unchanged: false }];
        return {
          plan,
          planId: 'undo_e1',
          restored: ['user:user_A1'],
          applied: !preview,
          auditId: preview ? null : 'e5',
        };
      },
    });
    const { user } = renderApp('/audit');

    expect(
      await screen.findByRole('heading', { level: 1, name: 'Audit log' }, { timeout: 5000 }),
    ).toBeTruthy();
    const table = await screen.findByRole('table');
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((cell) => cell.textContent);
    expect(headers.slice(0, 6)).toEqual(['Time', 'Actor', 'Role', 'Action', 'Target', 'Result']);
    // Only e1: e2 is someone else's (ops may undo its own), e3 is already undone, e6 wrote no key.
    expect(within(table).getAllByRole('button', { name: 'Undo' })).toHaveLength(1);
    // the target user reads as their email and name, the id beside them
    expect(within(table).getByRole('link', { name: 'ada@example.com' }).getAttribute('href')).toBe(
      '/users/user_A1',
    );
    expect(within(table).getByText('Ada Lovelace')).toBeTruthy();

    const show = within(table).getAllByRole('button', { name: 'Show changes' })[0];
    if (!show) throw new Error('no Show changes button');
    await user.click(show);
    expect(show.getAttribute('aria-expanded')).toBe('true');
    // a diff, not two blobs: per key the field that changed, before → after; the rest folded
    const changes = within(table).getByRole('list', { name: 'Changes' });
    const changed = changes.querySelectorAll('[data-change="changed"]');
    expect(changed).toHaveLength(1);
    expect(changed[0]?.textContent).toContain('email');
    expect(changed[0]?.textContent).toContain('old@example.com');
    expect(changed[0]?.textContent).toContain('ada@example.com');
    expect(changes.textContent).toContain('(does not exist)');
    expect(changes.textContent).not.toContain('"name"');

    await user.click(within(table).getByRole('button', { name: 'Undo' }));
    // previewed first, then applied with the plan's id
    const dialog = await screen.findByRole('dialog', { name: 'Undo this change?' });
    expect(dialog.textContent).toContain('Restores 1 key');
    await user.click(within(dialog).getByRole('button', { name: 'Undo' }));
    expect(await screen.findByText(/Undone: restored 1 key/)).toBeTruthy();
    expect(
      requests.filter((r) => r.method === 'POST' && r.path === '/api/audit/e1/undo').map((r) => r.body),
    ).toEqual([{ dryRun: true }, { planId: 'undo_e1' }]);

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('fix-session')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull());
  });

  it('keeps the Actor and Target filters in the URL and sends them', async () => {
    const { requests } = stubFetch({ ...signedInRoutes, 'GET /api/audit': { entries: [], cursor: null } });
    const { user, router } = renderApp('/audit');
    await user.type(await screen.findByRole('textbox', { name: 'Actor' }, { timeout: 5000 }), 'Olivia Ops');
    await user.type(screen.getByRole('textbox', { name: 'Target' }), 'user_A1');
    await user.click(screen.getByRole('button', { name: 'Filter' }));

    await waitFor(() => expect(router.state.location.search).toBe('?actor=Olivia+Ops&target=user_A1'));
    expect(await screen.findByRole('heading', { name: 'No matching entries' })).toBeTruthy();
    const last = requests.filter((r) => r.path === '/api/audit').at(-1);
    const sent = new URLSearchParams(last?.search);
    expect(sent.get('actor')).toBe('Olivia Ops');
    expect(sent.get('target')).toBe('user_A1');
    expect((screen.getByRole('textbox', { name: 'Actor' }) as HTMLInputElement).value).toBe('Olivia Ops');
  });

  it('gives admins Undo on anyone’s entries', async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/me': { id: 'Adam Admin', name: 'Adam Admin', role: 'admin', permissions: [] },
      'GET /api/audit': { entries: [entry('e1', 'Olivia Ops'), entry('e2', 'Someone Else')], cursor: null },
    });
    renderApp('/audit');
    await screen.findByText('Adam Admin', {}, { timeout: 5000 });
    await waitFor(() => expect(screen.getAllByRole('button', { name: 'Undo' })).toHaveLength(2));
  });

  it('says when the audit history was lost instead of showing an empty log', async () => {
    stubFetch({
      ...signedInRoutes,
      'GET /api/audit': {
        entries: [],
        cursor: null,
        historyLost: { at: '2026-12-02T01:00:00.000Z', reason: 'Redis restarted without keeping its data' },
      },
    });
    renderApp('/audit');

    expect(await screen.findByText(/Audit history lost at/)).toBeTruthy();
    expect(screen.getByText('No entries since then')).toBeTruthy();
    expect(screen.queryByText('No entries yet')).toBeNull();
  });
});
