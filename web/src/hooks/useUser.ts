import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys, staleAfter } from '../api/queryKeys';
import { useInvalidate } from './invalidate';

/** `GET /api/users/:userId/health`: Redis alone, fast. */
export function useUserHealth(userId: string) {
  return useQuery({
    queryKey: queryKeys.users.health(userId),
    queryFn: () => unwrap(client.api.users[':userId'].health.$get({ param: { userId } })),
  });
}

/** `GET /api/users/:userId/sync`: the cache against Clerk and Stripe (one round of upstream calls). */
export function useUserSync(userId: string) {
  return useQuery({
    queryKey: queryKeys.users.sync(userId),
    queryFn: () => unwrap(client.api.users[':userId'].sync.$get({ param: { userId } })),
  });
}

/**
 * `POST /api/users/:userId/refresh`. `{ dryRun: true }` only plans; `{ planId }` applies exactly the
 * plan shown (409 PLAN_CHANGED when it changed meanwhile); applied, it re-reads every panel of the
 * user (health and sync share the `users/:userId` key prefix) and the audit log.
 */
export function useRefresh(userId: string) {
  const invalidate = useInvalidate();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (json: { dryRun: true } | { planId: string }) =>
      unwrap(client.api.users[':userId'].refresh.$post({ param: { userId }, json })),
    onSuccess: async (result) => {
      if (!result.applied) return;
      // the apply answers with the sync view as the write left it, from the Clerk and Stripe
      // facts it has just read: showing it spares a third round of upstream calls
      const sync = 'sync' in result ? result.sync : undefined;
      if (sync) queryClient.setQueryData(queryKeys.users.sync(userId), sync);
      await invalidate(staleAfter.userWrite(userId), sync ? [queryKeys.users.sync(userId)] : []);
    },
  });
}

/**
 * `POST /api/users/:userId/remove` (Remove keys): `{ dryRun: true }` lists the keys; `{ planId }`
 * deletes exactly those (409 PLAN_CHANGED when they changed meanwhile); applied, the user re-reads.
 */
export function useRemoveKeys(userId: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (json: { dryRun: true } | { planId: string }) =>
      unwrap(client.api.users[':userId'].remove.$post({ param: { userId }, json })),
    onSuccess: async (result) => {
      if (result.applied) await invalidate(staleAfter.userWrite(userId));
    },
  });
}

/** `POST /api/audit/:id/undo`: restores the before-images; every user and session view and the log re-read. */
export function useUndo() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ auditId, json }: { auditId: string; json: { dryRun: true } | { planId: string } }) =>
      unwrap(client.api.audit[':id'].undo.$post({ param: { id: auditId }, json })),
    // Also after a 409: the log and the panels show what the keys hold now.
    onSettled: () => invalidate(staleAfter.undo),
  });
}
