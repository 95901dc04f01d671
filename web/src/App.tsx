import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type createBrowserRouter, type RouteObject, RouterProvider } from 'react-router';
import { createQueryClient } from './api/queryClient';
import { queryKeys } from './api/queryKeys';
import { clearToken } from './api/token';
import { paths } from './paths';
import { routes } from './routes';

export type AppRouter = ReturnType<typeof createBrowserRouter>;

/**
 * Builds the router and query client together, because a 401 from any query must reach the
 * router: the token is dropped and the person sent to sign in, coming back here afterwards.
 * Tests pass `createMemoryRouter` to start at any URL.
 */
export function createApp(createRouter: (routes: RouteObject[]) => AppRouter) {
  const router = createRouter(routes);
  const queryClient = createQueryClient({
    onUnauthenticated: () => {
      const { pathname, search } = router.state.location;
      clearToken();
      if (pathname.startsWith('/sign-in')) return;
      void Promise.resolve(router.navigate(paths.signIn(`${pathname}${search}`), { replace: true })).then(
        () =>
          queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.authConfig[0] }),
      );
    },
  });
  return { router, queryClient };
}

export function App({ router, queryClient }: { router: AppRouter; queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
