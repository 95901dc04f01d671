import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useNavigate } from 'react-router';
import { clearToken } from '../api/token';
import { paths } from '../paths';

/**
 * Everything this app keeps in the browser: the token (sessionStorage), the recent lookups with
 * customer emails and the theme (localStorage). A shared support machine keeps nothing of a
 * signed-out person.
 */
function clearBrowserStorage(): void {
  clearToken();
  for (const store of ['localStorage', 'sessionStorage'] as const) {
    try {
      window[store].clear();
    } catch {
      // storage disabled: nothing was kept there
    }
  }
}

/** Forget the token, everything stored and everything fetched with it, then go to the sign-in page. */
export function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useCallback(async () => {
    clearBrowserStorage();
    await navigate(paths.signIn(), { replace: true });
    // After leaving the signed-in pages, so no mounted query refetches without a token.
    queryClient.removeQueries();
  }, [navigate, queryClient]);
}
