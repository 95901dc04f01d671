import type { PolicyActivityRange, PolicyName, UpdatePolicy } from '@cache-doctor/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';

const POLICIES_KEY = ['policies'] as const;

/** `GET /api/policies`: every automatic repair, re-read every 10 s (a run may act meanwhile). */
export function usePolicies() {
  return useQuery({
    queryKey: POLICIES_KEY,
    queryFn: () => unwrap(client.api.policies.$get()),
    refetchInterval: 10_000,
  });
}

/**
 * `GET /api/policies/activity`: each policy's actions per hour, for the page's chart; under the
 * policies' key, so a change or a pause re-reads it too.
 */
export function usePolicyActivity(range: PolicyActivityRange) {
  return useQuery({
    queryKey: [...POLICIES_KEY, 'activity', range],
    queryFn: () => unwrap(client.api.policies.activity.$get({ query: { range } })),
    refetchInterval: 30_000,
  });
}

/** An admin's change to one policy (audited); the list and the audit log are re-read. */
export function useUpdatePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, change }: { name: PolicyName; change: UpdatePolicy }) =>
      unwrap(client.api.policies[':name'].$put({ param: { name }, json: change })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: POLICIES_KEY }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
}

/** "Pause all" / "Resume": every policy, in every process, at once. */
export function usePauseAll() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (paused: boolean) =>
      unwrap(
        paused
          ? client.api.policies.pause.$post({ json: {} })
          : client.api.policies.resume.$post({ json: {} }),
      ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: POLICIES_KEY }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
}
