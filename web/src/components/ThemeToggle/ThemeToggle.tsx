import { useTheme } from '../../hooks/useTheme';

/** A toggle button: pressed means dark. The label stays put so its state is read, not its name. */
export function ThemeToggle() {
  const { theme, toggle } = useTheme();
  return (
    <button type="button" className="button button-quiet" aria-pressed={theme === 'dark'} onClick={toggle}>
      <span aria-hidden="true">{theme === 'dark' ? '☾' : '☀'}</span> Dark theme
    </button>
  );
}
