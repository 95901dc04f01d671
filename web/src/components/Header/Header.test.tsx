import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken, TOKEN_STORAGE_KEY } from '../../api/token';
import { RECENT_LOOKUPS_KEY, rememberLookup } from '../../hooks/useRecentLookups';
import { renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

describe('Header', () => {
  it('has the contract navigation links, the Search box and the signed-in staff member', async () => {
    stubFetch(signedInRoutes);
    renderApp('/status');

    const nav = await screen.findByRole('navigation', { name: 'Main' });
    for (const [name, href] of [
      ['Status', '/status'],
      ['Users', '/users'],
      ['Sessions', '/sessions'],
      ['Metrics', '/metrics'],
      ['Jobs', '/jobs'],
      ['Audit log', '/audit'],
      ['Automatic repairs', '/policies'],
    ]) {
      expect(within(nav).getByRole('link', { name }).getAttribute('href')).toBe(href);
    }
    expect(within(nav).getByRole('link', { name: 'Status' }).getAttribute('aria-current')).toBe('page');

    const search = screen.getByRole('combobox', { name: 'Search' });
    expect(search.closest('[role="search"]')).not.toBeNull();
    expect(screen.getByRole('banner')).toBeTruthy();
    expect(screen.getByRole('main')).toBeTruthy();

    expect(await screen.findByText('Olivia Ops')).toBeTruthy();
    expect(screen.getByText('ops')).toBeTruthy();
    expect(await screen.findByText('Demo')).toBeTruthy();
  });

  it('sends the bearer token on API calls', async () => {
    const { requests } = stubFetch(signedInRoutes);
    renderApp('/status');
    await screen.findByText('Olivia Ops');
    const me = requests.find((r) => r.path === '/api/me');
    expect(me?.headers.get('Authorization')).toBe('Bearer staff-token-123');
  });

  it('focuses Search when / is pressed, but not while typing in a field', async () => {
    stubFetch(signedInRoutes);
    const { user } = renderApp('/status');
    const search = await screen.findByRole('combobox', { name: 'Search' });
    expect(document.activeElement).not.toBe(search);

    await user.keyboard('/');
    expect(document.activeElement).toBe(search);
    // The slash was a shortcut, not typed text.
    expect((search as HTMLInputElement).value).toBe('');

    // While typing, "/" is just a character.
    await user.type(search, 'a/b');
    expect((search as HTMLInputElement).value).toBe('a/b');
  });

  it('opens the page of an exact user id', async () => {
    stubFetch(signedInRoutes);
    const { user, router } = renderApp('/status');
    await user.type(
      await screen.findByRole('combobox', { name: 'Search' }),
      'user_2NNEqL2nrIRdJ194ndJqAHwEfxC{Enter}',
    );

    await waitFor(() =>
      expect(router.state.location.pathname).toBe('/users/user_2NNEqL2nrIRdJ194ndJqAHwEfxC'),
    );
    expect(
      await screen.findByRole('heading', { level: 1, name: 'user_2NNEqL2nrIRdJ194ndJqAHwEfxC' }),
    ).toBeTruthy();
  });

  it('opens an exact checkout session id, and sends other text to the user search', async () => {
    stubFetch(signedInRoutes);
    const { user, router } = renderApp('/status');
    const search = await screen.findByRole('combobox', { name: 'Search' });

    await user.type(search, 'cs_test_a1b2C3{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/sessions/cs_test_a1b2C3'));

    await user.clear(search);
    await user.type(search, 'ada@example.com{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/users'));
    expect(router.state.location.search).toBe('?q=ada%40example.com');
    expect(await screen.findByRole('heading', { level: 1, name: 'Users' })).toBeTruthy();
  });

  it('opens the page of the one user a whole email belongs to', async () => {
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /api/search': {
        results: [{ kind: 'user', id: 'user_ada1', label: 'ada@example.com — Ada L', userId: 'user_ada1' }],
      },
    });
    const { user, router } = renderApp('/status');
    await user.type(await screen.findByRole('combobox', { name: 'Search' }), 'ada@example.com{Enter}');

    await waitFor(() => expect(router.state.location.pathname).toBe('/users/user_ada1'));
    expect(requests.filter((request) => request.path === '/api/search')).toHaveLength(1);
  });

  it('signs out: forgets the token and the recent lookups, and shows the sign-in page', async () => {
    stubFetch(signedInRoutes);
    rememberLookup('user_2NNEqL2nrIRdJ194ndJqAHwEfxC', 'ada.lovelace@example.com', 'Ada Lovelace');
    expect(window.localStorage.getItem(RECENT_LOOKUPS_KEY)).toContain('ada.lovelace@example.com');
    const { user, router } = renderApp('/metrics');
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    // a shared support machine keeps no customer emails of a signed-out person
    expect(window.localStorage.getItem(RECENT_LOOKUPS_KEY)).toBeNull();
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
  });

  it('toggles the theme and remembers the choice', async () => {
    stubFetch(signedInRoutes);
    const { user } = renderApp('/status');
    // the name says the theme it switches to, so it reads differently in each theme
    await user.click(await screen.findByRole('button', { name: 'Switch to dark theme' }));
    expect(screen.getByRole('button', { name: 'Switch to light theme' })).toBeTruthy();
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(window.localStorage.getItem('cache-doctor-theme')).toBe('dark');
  });

  it('Menu says whether it is open; Escape closes it and returns focus to it, so does leaving the page', async () => {
    stubFetch(signedInRoutes);
    const { user } = renderApp('/status');
    const menu = await screen.findByRole('button', { name: 'Menu' });
    expect(menu.getAttribute('aria-expanded')).toBe('false');
    expect(document.getElementById(menu.getAttribute('aria-controls') ?? '')).toBe(
      screen.getByRole('navigation', { name: 'Main' }).parentElement,
    );

    await user.click(menu);
    expect(menu.getAttribute('aria-expanded')).toBe('true');
    await user.keyboard('{Escape}');
    expect(menu.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(menu);

    await user.click(menu);
    await user.click(screen.getByRole('link', { name: 'Jobs' }));
    await screen.findByRole('heading', { level: 1, name: 'Jobs' });
    await waitFor(() => expect(menu.getAttribute('aria-expanded')).toBe('false'));
  });
});
