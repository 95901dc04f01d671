import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';

/** `GET /auth/config`: how staff sign in, and whether this is a demo. Fixed for the server's life. */
export function useAuthConfig() {
  return useQuery({
    queryKey: queryKeys.authConfig,
    queryFn: () => unwrap(client.auth.config.$get()),
    staleTime: Number.POSITIVE_INFINITY,
    meta: { skipSignInRedirect: true },
  });
}
