import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useNavigate } from 'react-router';
import { clearToken } from '../api/token';
import { paths } from '../paths';

/** Forget the token and everything fetched with it, then go to the sign-in page. */
export function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useCallback(async () => {
    clearToken();
    await navigate(paths.signIn(), { replace: true });
    // After leaving the signed-in pages, so no mounted query refetches without a token.
    queryClient.removeQueries();
  }, [navigate, queryClient]);
}
