import type { Role } from '@cache-doctor/shared';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { ApiError, errorMessage } from '../../api/errors';
import type { Me } from '../../api/types';
import { EnvBadge } from '../../components/EnvBadge/EnvBadge';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { ThemeToggle } from '../../components/ThemeToggle/ThemeToggle';
import { useAuthConfig } from '../../hooks/useAuthConfig';
import { useAfterSignIn, useDemoSignIn, useTokenCheck } from '../../hooks/useSignIn';
import { paths } from '../../paths';

const DEMO_ROLES: { role: Role; description: string }[] = [
  { role: 'support', description: 'Reads everything; changes nothing.' },
  { role: 'ops', description: 'Also refreshes caches, fixes sessions, starts generations and sweeps.' },
  {
    role: 'admin',
    description: 'Also rebuilds the whole cache, changes settings and undoes anyone’s change.',
  },
];

function DemoSignIn({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const signIn = useDemoSignIn(onSignedIn);
  return (
    <>
      <p>This is a demo with sample data. Choose a role to see what it may do.</p>
      <ul className="role-list">
        {DEMO_ROLES.map(({ role, description }) => (
          <li key={role}>
            <button
              type="button"
              className="button button-primary"
              aria-describedby={`demo-role-${role}`}
              disabled={signIn.isPending}
              onClick={() => signIn.mutate(role)}
            >
              Sign in as {role}
            </button>
            <span id={`demo-role-${role}`} className="muted">
              {description}
            </span>
          </li>
        ))}
      </ul>
      {signIn.isError ? <ErrorMessage title="Could not sign in" error={signIn.error} /> : null}
    </>
  );
}

function TokenSignIn({ onSignedIn }: { onSignedIn: (me: Me) => Promise<void> }) {
  const [token, setTokenText] = useState('');
  const fieldId = useId();
  const errorId = useId();
  const check = useTokenCheck(onSignedIn);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const candidate = token.trim();
    if (candidate) check.mutate(candidate);
  };

  const message =
    check.error instanceof ApiError && check.error.status === 401
      ? 'That staff token was not accepted. Check it for typos, or ask an admin for a new one.'
      : check.error
        ? errorMessage(check.error)
        : null;

  return (
    <form onSubmit={onSubmit} className="stack">
      <div className="field">
        <label htmlFor={fieldId}>Staff token</label>
        <input
          id={fieldId}
          type="password"
          autoComplete="current-password"
          required
          value={token}
          onChange={(event) => setTokenText(event.target.value)}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? errorId : undefined}
        />
      </div>
      {message ? (
        <p id={errorId} role="alert" className="notice notice-danger">
          {message}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={check.isPending}>
        Sign in
      </button>
    </form>
  );
}

/**
 * `AUTH_MODE=clerk`: Clerk's sign-in page, which sends the person back to the callback route with
 * a session token in the URL fragment.
 */
function ClerkSignIn({ signInUrl, next }: { signInUrl: string | null; next: string | null }) {
  if (!signInUrl) {
    return (
      <p role="alert" className="notice notice-danger">
        This deployment signs staff in with Clerk, but no sign-in page is configured (CLERK_SIGN_IN_URL).
      </p>
    );
  }
  const callback = new URL(paths.signInCallback(next), window.location.origin);
  const href = `${signInUrl}?${new URLSearchParams({ redirect_url: callback.href })}`;
  return (
    <>
      <p>Staff sign in with their Clerk account. Your role comes from Clerk.</p>
      <a className="button button-primary" href={href}>
        Sign in with Clerk
      </a>
    </>
  );
}

/** The sign-in pages' frame: brand, heading, theme toggle; no app header before there is an identity. */
export function SignInLayout({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="sign-in">
      <title>Sign in · Cache Doctor</title>
      <div className="sign-in-card">
        <p className="brand">
          <span className="brand-name">Cache Doctor</span> <EnvBadge />
        </p>
        <h1>Sign in</h1>
        {children}
      </div>
      <div className="sign-in-footer">
        <ThemeToggle />
      </div>
    </main>
  );
}

export function SignInPage() {
  const config = useAuthConfig();
  const { next, done } = useAfterSignIn();

  return (
    <SignInLayout>
      {next ? <p className="muted">Sign in to continue to {next}.</p> : null}
      {config.isPending ? <Loading label="Loading sign-in options…" /> : null}
      {config.isError ? (
        <ErrorMessage
          title="Could not load the sign-in options"
          error={config.error}
          onRetry={() => void config.refetch()}
        />
      ) : null}
      {config.data?.authMode === 'demo' ? <DemoSignIn onSignedIn={done} /> : null}
      {config.data?.authMode === 'token' ? <TokenSignIn onSignedIn={done} /> : null}
      {config.data?.authMode === 'clerk' ? (
        <ClerkSignIn signInUrl={config.data.signInUrl} next={next} />
      ) : null}
    </SignInLayout>
  );
}
