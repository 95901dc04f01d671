import { Link, NavLink } from 'react-router';
import { useFiringAlerts } from '../../hooks/useMetrics';
import { useSignOut } from '../../hooks/useSignOut';
import { useStaff } from '../../hooks/useStaff';
import { paths } from '../../paths';
import { EnvBadge } from '../EnvBadge/EnvBadge';
import { SearchBox } from '../SearchBox/SearchBox';
import { ShortcutsDialog } from '../ShortcutsDialog/ShortcutsDialog';
import { ThemeToggle } from '../ThemeToggle/ThemeToggle';

/** Link names are a contract (SPEC §9): e2e scripts find them by exactly these names. */
export const NAV_LINKS = [
  { to: paths.status, label: 'Status' },
  { to: paths.users, label: 'Users' },
  { to: paths.sessions, label: 'Sessions' },
  { to: paths.metrics, label: 'Metrics' },
  { to: paths.jobs, label: 'Jobs' },
  { to: paths.audit, label: 'Audit log' },
  { to: paths.policies, label: 'Automatic repairs' },
] as const;

export function Header() {
  const { staff, isLoading } = useStaff();
  const signOut = useSignOut();
  const firing = useFiringAlerts();

  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <div className="header-row">
        <div className="brand">
          <Link to={paths.status} className="brand-name">
            Cache Doctor
          </Link>
          <EnvBadge />
          {firing.length > 0 ? (
            <Link to={paths.metrics} className="badge badge-danger">
              {firing.length === 1 ? '1 alert firing' : `${firing.length} alerts firing`}
            </Link>
          ) : null}
        </div>
        <SearchBox />
        <div className="header-account">
          {staff ? (
            <p className="staff">
              <span className="visually-hidden">Signed in as </span>
              <span className="staff-name">{staff.name}</span>{' '}
              <span className="badge badge-neutral staff-role">{staff.role}</span>
            </p>
          ) : isLoading ? (
            <p className="staff muted">Loading account…</p>
          ) : null}
          <ShortcutsDialog />
          <ThemeToggle />
          <button type="button" className="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </div>
      <nav aria-label="Main" className="main-nav">
        <ul>
          {NAV_LINKS.map((link) => (
            <li key={link.to}>
              <NavLink to={link.to}>{link.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
    </header>
  );
}
