import { screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../api/token';
import { RECENT_LOOKUPS_KEY } from '../../hooks/useRecentLookups';
import { renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

describe('Users page', () => {
  it('runs ?q= through the search and links each result to its page', async () => {
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/search': {
        results: [
          { kind: 'user', id: 'user_A1', label: 'ada@example.com' },
          { kind: 'customer', id: 'cus_B2', label: 'Ada Lovelace', userId: 'user_A1' },
          { kind: 'session', id: 'cs_test_C3', label: 'cs_test_C3 (ada@example.com)' },
        ],
      },
    });
    renderApp('/users?q=ada');

    const results = await screen.findByRole('region', { name: /3 results for/ }, { timeout: 5000 });
    expect(within(results).getByRole('link', { name: 'ada@example.com' }).getAttribute('href')).toBe(
      '/users/user_A1',
    );
    expect(within(results).getByRole('link', { name: 'Ada Lovelace' }).getAttribute('href')).toBe(
      '/users/user_A1',
    );
    expect(
      within(results).getByRole('link', { name: 'cs_test_C3 (ada@example.com)' }).getAttribute('href'),
    ).toBe('/sessions/cs_test_C3');
    expect(within(results).getByText('Checkout session')).toBeTruthy();
    // every id beside its copy button, named after its kind
    for (const name of ['Copy user id', 'Copy customer id', 'Copy session id'])
      expect(within(results).getByRole('button', { name })).toBeTruthy();
    expect(requests.find((r) => r.path === '/api/search')?.search).toBe('?q=ada');
  });

  it('searches a ?customer= id', async () => {
    const { requests } = stubFetch({ ...signedInRoutes, 'GET /api/search': { results: [] } });
    renderApp('/users?customer=cus_B2');
    expect(await screen.findByRole('heading', { name: 'No matches' }, { timeout: 5000 })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy customer id' })).toBeTruthy();
    expect(requests.find((r) => r.path === '/api/search')?.search).toBe('?q=cus_B2');
  });

  it('lists recent lookups when there is no query', async () => {
    window.localStorage.setItem(
      RECENT_LOOKUPS_KEY,
      JSON.stringify([
        { userId: 'user_A1', email: 'ada@example.com', name: 'Ada Lovelace', at: 3 },
        // saved before names were kept
        { userId: 'user_C3', email: 'cy@example.com', at: 2 },
        { userId: 'user_B2', email: null, name: null, at: 1 },
      ]),
    );
    stubFetch(signedInRoutes);
    const { user } = renderApp('/users');
    const recent = await screen.findByRole('region', { name: 'Recent lookups' }, { timeout: 5000 });
    const links = within(recent).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual(['ada@example.com', 'cy@example.com', 'user_B2']);
    expect(within(recent).getByText('Ada Lovelace')).toBeTruthy();

    await user.click(within(recent).getByRole('button', { name: 'Clear recent lookups' }));
    expect(await screen.findByRole('heading', { name: 'No recent lookups' })).toBeTruthy();
  });
});
