import { screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../api/token';
import { RECENT_LOOKUPS_KEY, readRecentLookups, rememberLookup } from '../../hooks/useRecentLookups';
import { renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const pageRequests = (requests: { path: string }[], prefix: string) =>
  requests.filter((request) => request.path.startsWith(prefix));

describe('a deep link with an id of the wrong shape', () => {
  it('/users/not-an-id: one inline message, no request that can only fail, no recent lookup', async () => {
    const { requests } = stubFetch(signedInRoutes);
    renderApp('/users/not-an-id');

    expect(await screen.findByRole('heading', { level: 1, name: 'Not a valid id' })).toBeTruthy();
    const alerts = screen.getAllByRole('alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.textContent).toMatch(/^not-an-id is not a Clerk user id: those start with user_/);
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    expect(screen.getByRole('link', { name: 'open Users' }).getAttribute('href')).toBe('/users');
    expect(pageRequests(requests, '/api/users/')).toEqual([]);
    expect(window.localStorage.getItem(RECENT_LOOKUPS_KEY)).toBeNull();
  });

  it('/sessions/nope: the same, for checkout session ids', async () => {
    const { requests } = stubFetch(signedInRoutes);
    renderApp('/sessions/nope');

    expect(await screen.findByRole('heading', { level: 1, name: 'Not a valid id' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(
      /^nope is not a Stripe checkout session id: those start with cs_test_ or cs_live_/,
    );
    expect(pageRequests(requests, '/api/sessions/')).toEqual([]);
  });
});

describe('recent lookups', () => {
  it('keeps user ids only, and drops ids of another shape saved before ids were checked', () => {
    rememberLookup('not-an-id', null);
    expect(readRecentLookups()).toEqual([]);
    window.localStorage.setItem(
      RECENT_LOOKUPS_KEY,
      JSON.stringify([
        { userId: 'not-an-id', email: null, at: 1 },
        { userId: 'user_2abc', email: 'a@example.com', at: 2 },
      ]),
    );
    expect(readRecentLookups().map((entry) => entry.userId)).toEqual(['user_2abc']);
    rememberLookup('user_3def', null);
    expect(readRecentLookups().map((entry) => entry.userId)).toEqual(['user_3def', 'user_2abc']);
  });
});
