import { cleanup, configure, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter } from 'react-router';
import { vi } from 'vitest';
import { App, createApp } from '../App';

/**
 * Test helpers. The network boundary is `fetch`: tests answer it with the HTTP contract's JSON,
 * so everything above it (typed client, query client, router, pages) runs for real.
 */

// Pages are lazily loaded chunks; on a busy 2-core machine the first import of one can take longer
// than testing-library's default 1 s wait, which is a slow machine, not a broken page.
configure({ asyncUtilTimeout: 5000 });

export interface StubRequest {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: unknown;
}

export type StubReply = { status: number; body: unknown };
export type StubHandler = (request: StubRequest) => StubReply | unknown;

const isReply = (value: unknown): value is StubReply =>
  typeof value === 'object' && value !== null && 'status' in value && 'body' in value;

/** Answers `"METHOD /path"` with a JSON body (200) or a handler's `{ status, body }`; else 404. */
export function stubFetch(routes: Record<string, StubHandler | object>) {
  const requests: StubRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input instanceof Request ? input.url : input), 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const text = typeof init?.body === 'string' ? init.body : null;
    const request: StubRequest = {
      method,
      path: url.pathname,
      search: url.search,
      headers: new Headers(init?.headers),
      body: text ? JSON.parse(text) : null,
    };
    requests.push(request);
    const route = routes[`${method} ${url.pathname}`];
    const result =
      route === undefined
        ? {
            status: 404,
            body: { error: { code: 'NOT_FOUND', message: `No stub for ${method} ${url.pathname}` } },
          }
        : typeof route === 'function'
          ? route(request)
          : route;
    const reply = isReply(result) ? result : { status: 200, body: result };
    return new Response(JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { fetchMock, requests };
}

export function renderApp(path: string) {
  const { router, queryClient } = createApp((routes) =>
    createMemoryRouter(routes, { initialEntries: [path] }),
  );
  const user = userEvent.setup();
  const view = render(<App router={router} queryClient={queryClient} />);
  return { ...view, router, queryClient, user };
}

export function resetTestEnvironment() {
  cleanup();
  vi.unstubAllGlobals();
  window.sessionStorage.clear();
  window.localStorage.clear();
  delete document.documentElement.dataset.theme;
}

/** Contract fixtures (the brief's HTTP contract). */
export const fixtures = {
  demoConfig: { authMode: 'demo', demo: true, stripeMode: 'test', signInUrl: null },
  tokenConfig: { authMode: 'token', demo: false, stripeMode: 'live', signInUrl: null },
  clerkConfig: {
    authMode: 'clerk',
    demo: false,
    stripeMode: 'live',
    signInUrl: 'https://accounts.example.test/sign-in',
  },
  me: { id: 'Olivia Ops', name: 'Olivia Ops', role: 'ops', permissions: ['read', 'refresh'] },
  status: {
    demo: true,
    redis: { ok: true, latencyMs: 0.8, usedMemory: 2_097_152, maxMemory: 0, version: '7.4.2' },
    stripe: { ok: true, mode: 'test', latencyMs: 21 },
    clerk: { ok: true, latencyMs: 19 },
    generation: { ok: true, configured: true, latencyMs: 23 },
  },
};

export const signedInRoutes = {
  'GET /auth/config': fixtures.demoConfig,
  'GET /api/me': fixtures.me,
  'GET /api/status': fixtures.status,
};
