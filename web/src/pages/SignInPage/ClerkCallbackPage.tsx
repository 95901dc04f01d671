import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { Loading } from '../../components/Loading/Loading';
import { useAfterSignIn, useTokenCheck } from '../../hooks/useSignIn';
import { paths } from '../../paths';
import { SignInLayout } from './SignInPage';

function failureText(error: unknown): string {
  if (error instanceof ApiError && error.code === 'NO_ROLE') return error.message;
  if (error instanceof ApiError && error.status === 401)
    return 'Clerk signed you in, but Cache Doctor could not verify the session. Try signing in again.';
  return errorMessage(error);
}

/**
 * Where Clerk's sign-in page sends staff back (`AUTH_MODE=clerk`) with `#token=<session token>`.
 * The token is checked against the server before it is kept, and the fragment is dropped from the
 * address at once so it stays out of history and bookmarks.
 */
export function ClerkCallbackPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const { next, done } = useAfterSignIn();
  const [token] = useState(() => new URLSearchParams(location.hash.slice(1)).get('token'));
  const check = useTokenCheck(done);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void navigate({ pathname: location.pathname, search: location.search }, { replace: true });
    if (token) check.mutate(token);
  }, [check, location.pathname, location.search, navigate, token]);

  const failed = !token || check.isError;
  return (
    <SignInLayout>
      {failed ? (
        <>
          <p role="alert" className="notice notice-danger">
            {token ? failureText(check.error) : 'Clerk sent no session token back. Try signing in again.'}
          </p>
          <Link className="button" to={paths.signIn(next ?? undefined)}>
            Back to sign in
          </Link>
        </>
      ) : (
        <Loading label="Signing you in…" />
      )}
    </SignInLayout>
  );
}
