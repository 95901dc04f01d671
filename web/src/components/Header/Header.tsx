import { useEffect, useId, useRef, useState } from 'react';
import { Link, NavLink, useLocation } from 'react-router';
import { useFiringAlerts } from '../../hooks/useMetrics';
import { isTyping } from '../../hooks/useShortcut';
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

/**
 * The narrow-window menu's state: it closes on Escape (focus back on its button), on a click
 * outside it, and when a link in it leads to another page. Wide windows never show the button,
 * and there the stylesheet always shows what the menu holds.
 */
function useHeaderMenu() {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const { pathname } = useLocation();

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new page closes the menu
  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    const inside = (target: EventTarget | null) =>
      target instanceof Node && (menuRef.current?.contains(target) || buttonRef.current?.contains(target));
    const onPointerDown = (event: PointerEvent) => {
      if (!inside(event.target)) setOpen(false);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      // A dialog opened from the menu and the Search box handle their own Escape.
      if (event.key !== 'Escape' || event.defaultPrevented || isTyping(event.target)) return;
      if (event.target instanceof Element && event.target.closest('dialog')) return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [open]);

  return { open, toggle: () => setOpen((was) => !was), buttonRef, menuRef };
}

export function Header() {
  const { staff, isLoading } = useStaff();
  const signOut = useSignOut();
  const firing = useFiringAlerts();
  const menu = useHeaderMenu();
  const menuId = useId();

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
        <button
          ref={menu.buttonRef}
          type="button"
          className="button menu-button"
          aria-expanded={menu.open}
          aria-controls={menuId}
          onClick={menu.toggle}
        >
          <span aria-hidden="true">☰</span> Menu
        </button>
        <div
          ref={menu.menuRef}
          id={menuId}
          className={menu.open ? 'header-menu header-menu-open' : 'header-menu'}
        >
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
          <nav aria-label="Main" className="main-nav">
            <ul>
              {NAV_LINKS.map((link) => (
                <li key={link.to}>
                  <NavLink to={link.to}>{link.label}</NavLink>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </div>
    </header>
  );
}
