import { hashKey, type QueryKey, useQueryClient } from '@tanstack/react-query';

/**
 * Marks every query under these keys stale (active ones re-read at once); resolves when they have.
 * `except`: queries the mutation's own answer has just filled (set with `setQueryData`), which
 * re-reading would only ask the upstreams again for.
 */
export function useInvalidate() {
  const queryClient = useQueryClient();
  return (keys: readonly QueryKey[], except: readonly QueryKey[] = []) => {
    const kept = new Set(except.map(hashKey));
    return Promise.all(
      keys.map((queryKey) =>
        queryClient.invalidateQueries({ queryKey, predicate: (query) => !kept.has(query.queryHash) }),
      ),
    );
  };
}
