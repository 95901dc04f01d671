import { useInfiniteQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';

export const AUDIT_PAGE_SIZE = 50;

/** `GET /api/audit`, newest first, paged by the server's cursor ("Load more"). */
export function useAuditLog(filters: { actor: string; target: string }) {
  const { actor, target } = filters;
  return useInfiniteQuery({
    queryKey: queryKeys.audit.list({ actor, target, limit: AUDIT_PAGE_SIZE }),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(
        client.api.audit.$get({
          query: {
            limit: String(AUDIT_PAGE_SIZE),
            ...(pageParam ? { cursor: pageParam } : {}),
            ...(actor ? { actor } : {}),
            ...(target ? { target } : {}),
          },
        }),
      ),
    getNextPageParam: (last) => last.cursor ?? null,
  });
}
