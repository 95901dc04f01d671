import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys, staleAfter } from '../api/queryKeys';
import type { SessionView } from '../api/types';
import { useInvalidate } from './invalidate';

const sessionRoutes = client.api.sessions[':sessionId'];

export function useSession(sessionId: string) {
  return useQuery({
    queryKey: queryKeys.sessions.detail(sessionId),
    queryFn: () => unwrap(sessionRoutes.$get({ param: { sessionId } })),
  });
}

/**
 * Fix and generate both re-read the session afterwards, success or not: a 409 means the session
 * changed under us, and the page should show what it holds now.
 */
export function useSessionAction<T>(run: () => Promise<T>) {
  const invalidate = useInvalidate();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: (result) => {
      // Fix answers with the session as the write left it (Stripe's answer from the same request):
      // shown as is, so the page does not ask Stripe a third time.
      const shown =
        result && typeof result === 'object' && 'session' in result ? (result.session as SessionView) : null;
      if (shown) queryClient.setQueryData(queryKeys.sessions.detail(shown.sessionId), shown);
      void invalidate(staleAfter.sessionWrite, shown ? [queryKeys.sessions.detail(shown.sessionId)] : []);
    },
  });
}

/** `planId`: the plan the page showed; the server writes it or answers 409 PLAN_CHANGED (SPEC §3) */
export const fixSession = (sessionId: string, planId: string | null) =>
  unwrap(sessionRoutes.fix.$post({ param: { sessionId }, json: planId ? { planId } : {} }));
/** `retryUnknown`: a new attempt although an earlier start's outcome is unknown (the second confirmation) */
export const generateVideo = (
  sessionId: string,
  options: { retryUnknown?: boolean; planId?: string | null } = {},
) =>
  unwrap(
    sessionRoutes.generate.$post({
      param: { sessionId },
      json: {
        ...(options.retryUnknown && { retryUnknown: true }),
        ...(options.planId && { planId: options.planId }),
      },
    }),
  );
