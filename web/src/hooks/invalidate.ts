import { type QueryKey, useQueryClient } from '@tanstack/react-query';

/** Marks every query under these keys stale (active ones re-read at once); resolves when they have. */
export function useInvalidate() {
  const queryClient = useQueryClient();
  return (keys: readonly QueryKey[]) =>
    Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}
