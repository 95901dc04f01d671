import type { Role } from '@cache-doctor/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { setToken } from '../api/token';
import type { Me } from '../api/types';
import { safeNext } from '../paths';

/** After signing in, back to the page first asked for (validated: no open redirect). */
export function useAfterSignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const next = safeNext(params.get('next'));
  return {
    next: params.get('next') ? next : null,
    done: async (me?: Me) => {
      // Whatever was cached belonged to the previous identity (or to none).
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.authConfig[0] });
      if (me) queryClient.setQueryData(queryKeys.me, me);
      await navigate(next, { replace: true });
    },
  };
}

/** Demo mode: signs in as the chosen role and keeps the token it is given. */
export function useDemoSignIn(onSignedIn: () => Promise<void>) {
  return useMutation({
    mutationFn: (role: Role) => unwrap(client.auth.demo.$post({ json: { role } })),
    meta: { skipSignInRedirect: true },
    onSuccess: async (result) => {
      setToken(result.token);
      await onSignedIn();
    },
  });
}

/** Tries a bearer token on `/api/me` and keeps it only if the server accepts it. */
export function useTokenCheck(onSignedIn: (me: Me) => Promise<void>) {
  return useMutation({
    // The token is tried before it is stored, so a typo never becomes the session's token.
    mutationFn: (candidate: string) =>
      unwrap(client.api.me.$get(undefined, { headers: { Authorization: `Bearer ${candidate}` } })),
    meta: { skipSignInRedirect: true },
    onSuccess: async (me, candidate) => {
      setToken(candidate);
      await onSignedIn(me);
    },
  });
}
