import { type ComponentType, lazy, Suspense } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import { AppLayout } from './components/AppLayout/AppLayout';
import { IdRoute } from './components/IdRoute/IdRoute';
import { Loading } from './components/Loading/Loading';
import { RouteError } from './components/RouteError/RouteError';
import { paths } from './paths';

/** Pages are code-split: charts and other page-only libraries never weigh on the first load. */
function lazyPage<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M & string) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}

const SignInPage = lazyPage(() => import('./pages/SignInPage/SignInPage'), 'SignInPage');
const ClerkCallbackPage = lazyPage(() => import('./pages/SignInPage/ClerkCallbackPage'), 'ClerkCallbackPage');
const StatusPage = lazyPage(() => import('./pages/StatusPage/StatusPage'), 'StatusPage');
const UsersPage = lazyPage(() => import('./pages/UsersPage/UsersPage'), 'UsersPage');
const UserPage = lazyPage(() => import('./pages/UserPage/UserPage'), 'UserPage');
const SessionsPage = lazyPage(() => import('./pages/SessionsPage/SessionsPage'), 'SessionsPage');
const SessionPage = lazyPage(() => import('./pages/SessionPage/SessionPage'), 'SessionPage');
const MetricsPage = lazyPage(() => import('./pages/MetricsPage/MetricsPage'), 'MetricsPage');
const JobsPage = lazyPage(() => import('./pages/JobsPage/JobsPage'), 'JobsPage');
const PoliciesPage = lazyPage(() => import('./pages/PoliciesPage/PoliciesPage'), 'PoliciesPage');
const AuditPage = lazyPage(() => import('./pages/AuditPage/AuditPage'), 'AuditPage');
const NotFoundPage = lazyPage(() => import('./pages/NotFoundPage/NotFoundPage'), 'NotFoundPage');

/** The one route table. Deep links (SPEC §9) are plain paths, so any of them can be bookmarked. */
export const routes: RouteObject[] = [
  {
    path: '/sign-in',
    element: (
      <Suspense fallback={<Loading label="Loading…" />}>
        <SignInPage />
      </Suspense>
    ),
    errorElement: <RouteError />,
  },
  {
    path: '/sign-in/callback',
    element: (
      <Suspense fallback={<Loading label="Signing you in…" />}>
        <ClerkCallbackPage />
      </Suspense>
    ),
    errorElement: <RouteError />,
  },
  {
    path: '/',
    element: <AppLayout />,
    errorElement: <RouteError />,
    children: [
      {
        // Pathless: a page that fails renders its error inside the layout, header still usable.
        errorElement: <RouteError />,
        children: [
          { index: true, element: <Navigate to={paths.status} replace /> },
          { path: 'status', element: <StatusPage /> },
          { path: 'users', element: <UsersPage /> },
          {
            path: 'users/:userId',
            element: (
              <IdRoute kind="user">
                <UserPage />
              </IdRoute>
            ),
          },
          { path: 'sessions', element: <SessionsPage /> },
          {
            path: 'sessions/:sessionId',
            element: (
              <IdRoute kind="session">
                <SessionPage />
              </IdRoute>
            ),
          },
          { path: 'metrics', element: <MetricsPage /> },
          { path: 'policies', element: <PoliciesPage /> },
          { path: 'jobs', element: <JobsPage /> },
          { path: 'audit', element: <AuditPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
