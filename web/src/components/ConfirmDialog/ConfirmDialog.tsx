import { type ReactNode, useEffect, useId, useRef } from 'react';
import { errorMessage } from '../../api/errors';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, e.g. the planned writes. */
  children: ReactNode;
  /** SPEC §9 names: "Apply" / "Cancel" for repairs. */
  confirmLabel?: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** While the action runs the buttons are disabled and the confirm button says so. */
  pending?: boolean;
  /** The failed attempt's error, shown inside the dialog so the person can retry or cancel. */
  error?: unknown;
  /** Styles the confirm button as dangerous (rebuild, live mode). */
  danger?: boolean;
}

/**
 * The confirm step every write goes through (bull-board's `getConfirmFor`). A native modal
 * <dialog>: focus is trapped and restored by the browser, Escape cancels.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel = 'Apply',
  cancelLabel = 'Cancel',
  onConfirm,
  onCancel,
  pending = false,
  error,
  danger = false,
}: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      // jsdom and very old browsers lack showModal; an open non-modal dialog still works there.
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
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
        event.preventDefault();
        if (!pending) onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      {error ? (
        <p role="alert" className="notice notice-danger">
          {errorMessage(error)}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel} disabled={pending}>
          {cancelLabel}
        </button>
        <button
          type="button"
          className={danger ? 'button button-danger' : 'button button-primary'}
          onClick={onConfirm}
          disabled={pending}
          aria-busy={pending}
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
