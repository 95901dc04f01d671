import { useTheme } from '../../hooks/useTheme';

/**
 * Switches between light and dark. The name says what pressing does ("Switch to dark theme"),
 * never the state it is in: a "Dark theme" button read the same in both themes.
 */
export function ThemeToggle() {
  const { theme, toggle } = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="button button-quiet"
      aria-label={`Switch to ${next} theme`}
      onClick={toggle}
    >
      <span aria-hidden="true">{next === 'dark' ? '☾' : '☀'}</span> {next === 'dark' ? 'Dark' : 'Light'} theme
    </button>
  );
}
