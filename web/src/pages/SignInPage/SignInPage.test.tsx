import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { getToken, setToken, TOKEN_STORAGE_KEY } from '../../api/token';
import { fixtures, renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

afterEach(resetTestEnvironment);

describe('signing in', () => {
  it('sends a signed-out visitor to sign in, then back to the page first asked for (demo mode)', async () => {
    const { requests } = stubFetch({
      ...signedInRoutes,
      'POST /auth/demo': ({ body }: { body: unknown }) => ({
        status: 200,
        body: { token: 'demo-token-ops', staff: { name: 'Demo ops', role: (body as { role: string }).role } },
      }),
    });
    const { user, router } = renderApp('/users/user_42');

    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'Sign in as support' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign in as admin' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Sign in as ops' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/users/user_42'));
    const demo = requests.find((r) => r.method === 'POST' && r.path === '/auth/demo');
    expect(demo?.body).toEqual({ role: 'ops' });
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('demo-token-ops');
    // Later API calls carry the new token.
    await screen.findByText('Olivia Ops');
    expect(
      requests
        .filter((r) => r.path === '/api/me')
        .at(-1)
        ?.headers.get('Authorization'),
    ).toBe('Bearer demo-token-ops');
  });

  it('shows the server message when demo sign-in is refused', async () => {
    stubFetch({
      'GET /auth/config': fixtures.demoConfig,
      'POST /auth/demo': {
        status: 403,
        body: { error: { code: 'DEMO_DISABLED', message: 'Demo sign-in exists only in demo mode.' } },
      },
    });
    const { user } = renderApp('/sign-in');
    await user.click(await screen.findByRole('button', { name: 'Sign in as admin' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Demo sign-in exists only in demo mode.',
    );
    expect(getToken()).toBeNull();
  });

  it('checks a staff token before keeping it (token mode)', async () => {
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /auth/config': fixtures.tokenConfig,
      'GET /api/me': ({ headers }: { headers: Headers }) =>
        headers.get('Authorization') === 'Bearer good-token-0123456789'
          ? fixtures.me
          : { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'Unknown token.' } } },
    });
    const { user, router } = renderApp('/sign-in');

    const field = await screen.findByLabelText('Staff token');
    expect(field.getAttribute('type')).toBe('password');
    await user.type(field, 'typo-token');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('That staff token was not accepted');
    expect(getToken()).toBeNull();
    expect(router.state.location.pathname).toBe('/sign-in');

    await user.clear(field);
    await user.type(field, 'good-token-0123456789');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/status'));
    expect(getToken()).toBe('good-token-0123456789');
    expect(await screen.findByText('Live')).toBeTruthy();
    expect(
      requests.some((r) => r.path === '/api/me' && r.headers.get('Authorization')?.includes('typo')),
    ).toBe(true);
  });

  it('offers Clerk sign-in that comes back to the callback and the page first asked for (clerk mode)', async () => {
    stubFetch({ 'GET /auth/config': fixtures.clerkConfig });
    renderApp('/sign-in?next=%2Fjobs');
    const link = await screen.findByRole('link', { name: 'Sign in with Clerk' });
    const target = new URL(link.getAttribute('href') ?? '');
    expect(`${target.origin}${target.pathname}`).toBe(fixtures.clerkConfig.signInUrl);
    expect(target.searchParams.get('redirect_url')).toBe(
      `${window.location.origin}/sign-in/callback?next=%2Fjobs`,
    );
  });

  it('keeps the token Clerk hands back once the server accepts it, then returns to the page', async () => {
    const { requests } = stubFetch({
      ...signedInRoutes,
      'GET /auth/config': fixtures.clerkConfig,
    });
    const { router } = renderApp('/sign-in/callback?next=%2Fjobs#token=clerk-session-jwt');
    await waitFor(() => expect(router.state.location.pathname).toBe('/jobs'));
    expect(getToken()).toBe('clerk-session-jwt');
    expect(requests.find((r) => r.path === '/api/me')?.headers.get('Authorization')).toBe(
      'Bearer clerk-session-jwt',
    );
  });

  it('explains a Clerk account without a Cache Doctor role, keeping no token', async () => {
    const message = 'Your Clerk account has no Cache Doctor role. Ask an admin to set it.';
    stubFetch({
      'GET /auth/config': fixtures.clerkConfig,
      'GET /api/me': { status: 403, body: { error: { code: 'NO_ROLE', message } } },
    });
    const { router } = renderApp('/sign-in/callback#token=role-less-jwt');
    expect((await screen.findByRole('alert')).textContent).toBe(message);
    expect(router.state.location.hash).toBe('');
    expect(getToken()).toBeNull();
    expect(screen.getByRole('link', { name: 'Back to sign in' }).getAttribute('href')).toBe('/sign-in');
  });

  it('sends the user to sign in when the API answers 401', async () => {
    setToken('expired-token-0123456789');
    stubFetch({
      ...signedInRoutes,
      'GET /api/me': { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'Token expired.' } } },
    });
    const { router } = renderApp('/jobs');
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(router.state.location.search).toBe('?next=%2Fjobs');
    expect(getToken()).toBeNull();
  });
});
