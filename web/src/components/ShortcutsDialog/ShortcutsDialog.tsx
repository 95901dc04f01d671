import { useState } from 'react';
import { useShortcut } from '../../hooks/useShortcut';
import { Dialog } from '../Dialog/Dialog';

/** Every keyboard shortcut the dashboard has; this list is what `?` shows. */
export const SHORTCUTS = [
  { keys: ['/'], does: 'Focus the Search box' },
  {
    keys: ['Enter'],
    does: 'In Search: open an exact id, or the user a whole email belongs to; anything else searches users',
  },
  { keys: ['Esc'], does: 'Close the open dialog without acting' },
  { keys: ['?'], does: 'Show this list' },
  { keys: ['Tab', 'Shift+Tab'], does: 'Move between links and buttons; the first stop skips to the content' },
] as const;

/** `?` anywhere (except while typing) or the header's button opens the list of shortcuts. */
export function ShortcutsDialog() {
  const [open, setOpen] = useState(false);
  useShortcut('?', () => setOpen(true));

  return (
    <>
      <button
        type="button"
        className="button button-quiet"
        aria-keyshortcuts="?"
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
      >
        Keyboard shortcuts
      </button>
      <Dialog
        open={open}
        title="Keyboard shortcuts"
        onClose={() => setOpen(false)}
        actions={
          <button type="button" className="button button-primary" onClick={() => setOpen(false)}>
            Close
          </button>
        }
      >
        <dl className="shortcuts">
          {SHORTCUTS.map((shortcut) => (
            <div key={shortcut.does}>
              <dt>
                {shortcut.keys.map((key, index) => (
                  <span key={key}>
                    {index > 0 ? ' or ' : null}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </dt>
              <dd>{shortcut.does}</dd>
            </div>
          ))}
        </dl>
      </Dialog>
    </>
  );
}
