import { type ReactNode, useEffect, useId, useRef } from 'react';

interface DialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  /** Escape asks to close; the owner decides (e.g. not while an action runs). */
  onClose: () => void;
  /** The buttons at the bottom. */
  actions: ReactNode;
}

/**
 * A native modal <dialog>: it keeps the rest of the page inert while it is open, and returns focus
 * to the control that opened it when it closes. On opening, focus goes to its title: the browser
 * would pick the first focusable element (a scrollable plan, say), scrolling the title away, and a
 * screen reader starts at the question being asked.
 */
export function Dialog({ open, title, children, onClose, actions }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      // jsdom and very old browsers lack showModal; an open non-modal dialog still works there.
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
      titleRef.current?.focus();
    } else if (!open && dialog.open) {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        // The dialog stays open until its owner's state says otherwise, so both never disagree.
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId} ref={titleRef} tabIndex={-1}>
        {title}
      </h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-actions">{actions}</div>
    </dialog>
  );
}
