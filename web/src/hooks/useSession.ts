import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { InferResponseType } from 'hono/client';
import { client, unwrap } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';

/** Types come from the server's routes (never hand-copied). */
const sessionRoutes = client.api.sessions[':sessionId'];
export type SessionView = InferResponseType<(typeof sessionRoutes)['$get'], 200>;
export type KeyView = SessionView['keys']['webhook'];
export type WriteView = NonNullable<SessionView['previews']['fixSession']>[number];
export type FixResult = InferResponseType<(typeof sessionRoutes)['fix']['$post'], 200>;
export type GenerateResult = InferResponseType<(typeof sessionRoutes)['generate']['$post'], 200 | 202>;

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
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.sessions.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.audit.all });
    },
  });
}

export const fixSession = (sessionId: string) => unwrap(sessionRoutes.fix.$post({ param: { sessionId } }));
export const generateVideo = (sessionId: string) =>
  unwrap(sessionRoutes.generate.$post({ param: { sessionId } }));
