import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';

/** `GET /api/users/:userId/sessions`: the customer's checkout sessions, each diagnosed. */
export function useUserPurchases(userId: string) {
  return useQuery({
    queryKey: queryKeys.users.purchases(userId),
    queryFn: () => unwrap(client.api.users[':userId'].sessions.$get({ param: { userId } })),
  });
}

/** `GET /api/users/:userId/timeline`: Stripe, the cache and the audit log, newest first. */
export function useUserTimeline(userId: string) {
  return useQuery({
    queryKey: queryKeys.users.timeline(userId),
    queryFn: () => unwrap(client.api.users[':userId'].timeline.$get({ param: { userId } })),
  });
}

/** `GET /api/sessions/:sessionId/timeline`: the checkout, its deliveries, the app's writes, repairs. */
export function useSessionTimeline(sessionId: string) {
  return useQuery({
    queryKey: queryKeys.sessions.timeline(sessionId),
    queryFn: () => unwrap(client.api.sessions[':sessionId'].timeline.$get({ param: { sessionId } })),
  });
}

/** Where "Open in Stripe" and "Open in Clerk" lead (they never change while the page is open). */
export function useDashboards() {
  return useQuery({
    queryKey: queryKeys.dashboards,
    queryFn: () => unwrap(client.api.dashboards.$get()),
    staleTime: Number.POSITIVE_INFINITY,
  });
}
