import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';

/** `GET /api/search?q=`: users, customers and sessions matching an email, name or id. */
const searchQuery = (q: string) => ({
  queryKey: queryKeys.search(q),
  queryFn: () => unwrap(client.api.search.$get({ query: { q } })),
});

/** The search's results for `q`, read while `enabled` (by default: whenever there is a query). */
export function useSearch(q: string, enabled = q !== '') {
  return useQuery({ ...searchQuery(q), enabled });
}

/**
 * The search's results for `q` once, for a decision such as where a submitted query leads; cached
 * under the search's key, so the results page does not ask again.
 */
export function useFetchSearch() {
  const queryClient = useQueryClient();
  return useCallback((q: string) => queryClient.fetchQuery(searchQuery(q)), [queryClient]);
}
