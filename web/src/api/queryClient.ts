import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './errors';

declare module '@tanstack/react-query' {
  interface Register {
    queryMeta: { skipSignInRedirect?: boolean };
    mutationMeta: { skipSignInRedirect?: boolean };
    defaultError: Error;
  }
}

export interface QueryClientOptions {
  /** Called for any 401: the token is missing, expired or revoked. */
  onUnauthenticated: () => void;
}

/**
 * One place decides what a 401 means (go sign in) and what is worth retrying: a 4xx will not
 * improve by asking again, a dropped connection or a 5xx may.
 */
export function createQueryClient({ onUnauthenticated }: QueryClientOptions): QueryClient {
  const handle = (error: unknown, meta: { skipSignInRedirect?: boolean } | undefined) => {
    if (error instanceof ApiError && error.isUnauthenticated && !meta?.skipSignInRedirect)
      onUnauthenticated();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError: (error, query) => handle(error, query.meta) }),
    mutationCache: new MutationCache({ onError: (error, _v, _c, mutation) => handle(error, mutation.meta) }),
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => {
          if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
          return failureCount < 2;
        },
        staleTime: 5_000,
      },
      mutations: { retry: false },
    },
  });
}
