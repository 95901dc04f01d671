import { Suspense, useEffect, useRef } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { getToken } from '../../api/token';
import { paths } from '../../paths';
import { Header } from '../Header/Header';
import { Loading } from '../Loading/Loading';
import { RedisDownBanner } from '../RedisDownBanner/RedisDownBanner';

/** Every signed-in page: header, the Redis banner, then the page. Without a token: sign in first. */
export function AppLayout() {
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstPath = useRef(location.pathname);

  // After an in-app navigation, focus moves to the new page (as a full page load would reset it),
  // so keyboard and screen-reader users start at its content, not on the link they used.
  // A lazily loaded page commits only once its code has arrived; by then the person may already be
  // typing somewhere (the next search), and focus is not taken from a text field they are in.
  useEffect(() => {
    if (location.pathname === firstPath.current) return;
    firstPath.current = '';
    if (document.activeElement?.closest('input, textarea, select, [contenteditable="true"]')) return;
    mainRef.current?.focus();
  }, [location.pathname]);

  if (getToken() === null) {
    return <Navigate to={paths.signIn(`${location.pathname}${location.search}`)} replace />;
  }
  return (
    <>
      <Header />
      <RedisDownBanner />
      <main id="main" ref={mainRef} tabIndex={-1} className="app-main">
        <Suspense fallback={<Loading label="Loading page…" />}>
          <Outlet />
        </Suspense>
      </main>
    </>
  );
}
