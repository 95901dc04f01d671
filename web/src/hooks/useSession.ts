import { useMutation, useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys, staleAfter } from '../api/queryKeys';
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
  return useMutation({
    mutationFn: run,
    onSettled: () => {
      void invalidate(staleAfter.sessionWrite);
    },
  });
}

export const fixSession = (sessionId: string) => unwrap(sessionRoutes.fix.$post({ param: { sessionId } }));
export const generateVideo = (sessionId: string) =>
  unwrap(sessionRoutes.generate.$post({ param: { sessionId } }));
