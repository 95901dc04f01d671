import { useEffect, useRef } from 'react';

/** True while the person is typing into a field, where every key is text, not a shortcut. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]') !== null;
}

/**
 * Runs `action` when `key` is pressed anywhere on the page except while typing. Shift is allowed
 * (it is how `?` is typed on most layouts); Ctrl, Alt and Meta combinations belong to the browser.
 */
export function useShortcut(key: string, action: () => void): void {
  const latest = useRef(action);
  latest.current = action;

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== key || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented)
        return;
      if (isTyping(event.target)) return;
      event.preventDefault();
      latest.current();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [key]);
}
