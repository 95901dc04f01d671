import { idKind } from '@cache-doctor/shared';
import type { SearchResult } from './api/types';

/** Every in-app URL is built here, so a link and its route cannot drift apart. */
export const paths = {
  status: '/status',
  users: '/users',
  user: (userId: string) => `/users/${encodeURIComponent(userId)}`,
  userSearch: (q: string) => `/users?${new URLSearchParams({ q })}`,
  customer: (customerId: string) => `/users?${new URLSearchParams({ customer: customerId })}`,
  sessions: '/sessions',
  session: (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}`,
  metrics: '/metrics',
  jobs: '/jobs',
  audit: '/audit',
  policies: '/policies',
  signIn: (next?: string) =>
    next && next !== '/' && !next.startsWith('/sign-in')
      ? `/sign-in?${new URLSearchParams({ next })}`
      : '/sign-in',
  /** where Clerk's sign-in page sends staff back, with the session token in the fragment */
  signInCallback: (next?: string | null) =>
    next ? `/sign-in/callback?${new URLSearchParams({ next })}` : '/sign-in/callback',
};

/**
 * Where a search goes (SPEC §9): an exact id straight to its page, anything else to the user search.
 * A `cus_` id has no page of its own yet; the user search resolves it to its user.
 */
export function searchTarget(text: string): string | null {
  const query = text.trim();
  if (query === '') return null;
  switch (idKind(query)) {
    case 'user':
      return paths.user(query);
    case 'session':
      return paths.session(query);
    case 'customer':
      return paths.customer(query);
    default:
      return paths.userSearch(query);
  }
}

/** Only a same-origin path may be a post-sign-in destination (no open redirect via `?next=`). */
export function safeNext(next: string | null): string {
  if (next === null) return paths.status;
  const local = next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\');
  return local && !next.startsWith('/sign-in') ? next : paths.status;
}

/** Where a search result leads: a user's page, a session's page, or a customer's user when it has one. */
export function resultPath(result: SearchResult): string | null {
  if (result.kind === 'session') return paths.session(result.id);
  if (result.kind === 'user') return paths.user(result.userId ?? result.id);
  return result.userId ? paths.user(result.userId) : null;
}
