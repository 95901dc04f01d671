import type { TrendRange } from '@cache-doctor/shared';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';

/** Rows per request; the list is virtualised, so pages only bound each answer's size. */
const PAGE = 200;

/**
 * `GET /api/attention`: the latest sweep's users with error-level problems, a page at a time
 * (`fetchNextPage`), all problems or one. While `watching` (a sweep or bulk refresh of ours is
 * running) it re-reads every 2 s, so the list follows the job.
 */
export function useAttention(problem: string, watching = false) {
  return useInfiniteQuery({
    queryKey: queryKeys.attention.list(problem),
    queryFn: ({ pageParam }) =>
      unwrap(
        client.api.attention.$get({
          query: {
            limit: String(PAGE),
            ...(problem ? { problem } : {}),
            ...(pageParam ? { cursor: pageParam } : {}),
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.cursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: watching ? 2000 : false,
  });
}

/** `GET /api/attention/trend`: users per problem at each sweep of the range. */
export function useProblemTrend(range: TrendRange) {
  return useQuery({
    queryKey: queryKeys.attention.trend(range),
    queryFn: () => unwrap(client.api.attention.trend.$get({ query: { range } })),
  });
}
