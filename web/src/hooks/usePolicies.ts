import type { PolicyActivityRange, PolicyName, UpdatePolicy } from '@cache-doctor/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys, staleAfter } from '../api/queryKeys';
import { useInvalidate } from './invalidate';

/** `GET /api/policies`: every automatic repair, re-read every 10 s (a run may act meanwhile). */
export function usePolicies() {
  return useQuery({
    queryKey: queryKeys.policies.all,
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
    queryKey: queryKeys.policies.activity(range),
    queryFn: () => unwrap(client.api.policies.activity.$get({ query: { range } })),
    refetchInterval: 30_000,
  });
}

/** An admin's change to one policy (audited); the list and the audit log are re-read. */
export function useUpdatePolicy() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ name, change }: { name: PolicyName; change: UpdatePolicy }) =>
      unwrap(client.api.policies[':name'].$put({ param: { name }, json: change })),
    onSuccess: () => invalidate(staleAfter.policyWrite),
  });
}

/** "Pause all" / "Resume": every policy, in every process, at once. */
export function usePauseAll() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (paused: boolean) =>
      unwrap(
        paused
          ? client.api.policies.pause.$post({ json: {} })
          : client.api.policies.resume.$post({ json: {} }),
      ),
    onSuccess: () => invalidate(staleAfter.policyWrite),
  });
}
