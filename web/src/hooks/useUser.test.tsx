import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../api/token';
import { resetTestEnvironment, stubFetch } from '../test/app';
import { useSession } from './useSession';
import { useUndo, useUserHealth } from './useUser';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

const wrapper = ({ children }: { children: ReactNode }) => (
  <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
    {children}
  </QueryClientProvider>
);

/** A session page and a user page open while an undo runs (the undo may restore either's keys). */
function useOpenViewsAndUndo() {
  return {
    session: useSession('cs_test_a1'),
    health: useUserHealth('user_a1'),
    undo: useUndo(),
  };
}

const reads = (requests: { method: string; path: string }[], path: string) =>
  requests.filter((request) => request.method === 'GET' && request.path === path).length;

describe('useUndo', () => {
  it.each([
    ['applied', { status: 200, body: { undone: true } }],
    ['refused as changed since', { status: 409, body: { error: { code: 'CONFLICT', message: 'changed' } } }],
  ])('re-reads the open session and user views once the undo is %s', async (_, reply) => {
    const { requests } = stubFetch({
      'GET /api/sessions/cs_test_a1': { sessionId: 'cs_test_a1' },
      'GET /api/users/user_a1/health': { userId: 'user_a1' },
      'POST /api/audit/0000000001abc/undo': () => reply,
    });
    const { result } = renderHook(useOpenViewsAndUndo, { wrapper });
    await waitFor(() =>
      expect(result.current.session.isSuccess && result.current.health.isSuccess).toBe(true),
    );
    expect(reads(requests, '/api/sessions/cs_test_a1')).toBe(1);
    expect(reads(requests, '/api/users/user_a1/health')).toBe(1);

    result.current.undo.mutate({ auditId: '0000000001abc', json: { planId: 'plan_1' } });

    await waitFor(() => expect(reads(requests, '/api/sessions/cs_test_a1')).toBe(2));
    await waitFor(() => expect(reads(requests, '/api/users/user_a1/health')).toBe(2));
  });
});
