import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';

export const STATUS_REFRESH_MS = 10_000;

/**
 * `GET /api/status`, refreshed every 10 s. Shared by the Status page and the Redis-down banner
 * on every page (one cache entry, one poll). A failed check is not retried: retries would keep the
 * previous, green answer on screen for seconds more, and the next poll asks again anyway.
 */
export function useStatus() {
  return useQuery({
    queryKey: queryKeys.status,
    queryFn: () => unwrap(client.api.status.$get()),
    refetchInterval: STATUS_REFRESH_MS,
    staleTime: STATUS_REFRESH_MS / 2,
    retry: false,
  });
}
