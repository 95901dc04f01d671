import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';

/**
 * `GET /api/sessions?problem=unprocessed&since=`, every page: the server answers a slice of
 * Stripe's list at a time, and the page follows the cursor to the end by itself because the count
 * it shows is the count "Fix all" and "Generate all" promise to act on.
 */
export function useUnprocessedSessions(since: string) {
  const query = useInfiniteQuery({
    queryKey: queryKeys.sessions.unprocessed(since),
    queryFn: ({ pageParam }) =>
      unwrap(
        client.api.sessions.$get({
          query: { problem: 'unprocessed', since, ...(pageParam !== null && { cursor: pageParam }) },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.cursor,
  });
  const { hasNextPage, isFetchingNextPage, isError, fetchNextPage } = query;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && !isError) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, isError, fetchNextPage]);

  const pages = query.data?.pages ?? [];
  return {
    query,
    sessions: pages.flatMap((page) => page.sessions),
    // the server sends the same failed-event list with every page
    failedEvents: pages[0]?.failedEvents ?? [],
    checked: pages.reduce((sum, page) => sum + page.checked, 0),
    complete: query.isSuccess && !hasNextPage,
  };
}
