import { type ReactNode, useEffect, useId, useState } from 'react';
import { errorMessage } from '../../api/errors';
import { Dialog } from '../Dialog/Dialog';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, e.g. the planned writes. */
  children: ReactNode;
  /**
   * What the confirm button does, in the words of the action that opened the dialog ("Refresh
   * cache", "Mark as failed", "Undo"): never a bare "Apply" that says nothing of what happens.
   */
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** While the action runs the buttons are disabled and the confirm button says so. */
  pending?: boolean;
  /** The failed attempt's error, shown inside the dialog so the person can retry or cancel. */
  error?: unknown;
  /** Styles the confirm button as dangerous (rebuild, live mode). */
  danger?: boolean;
  /** For bulk writes: the confirm button works only once this text is typed, asked afresh each time. */
  typeToConfirm?: string;
}

/** The confirm step every write goes through (bull-board's `getConfirmFor`); Escape cancels. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = 'Cancel',
  onConfirm,
  onCancel,
  pending = false,
  error,
  danger = false,
  typeToConfirm,
}: ConfirmDialogProps) {
  const [typed, setTyped] = useState('');
  const typedId = useId();
  // asked afresh when the dialog opens, and when the number changes in it (a plan changed meanwhile)
  const asked = open ? typeToConfirm : undefined;
  useEffect(() => {
    if (asked !== undefined) setTyped('');
  }, [asked]);
  const confirmed = typeToConfirm === undefined || typed.trim() === typeToConfirm;

  return (
    <Dialog
      open={open}
      title={title}
      onClose={() => {
        if (!pending) onCancel();
      }}
      actions={
        <>
          <button type="button" className="button" onClick={onCancel} disabled={pending}>
            {cancelLabel}
          </button>
          <button
            type="button"
            className={danger ? 'button button-danger' : 'button button-primary'}
            onClick={onConfirm}
            disabled={pending || !confirmed}
            aria-busy={pending}
          >
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {typeToConfirm === undefined ? null : (
        <div className="field">
          <label htmlFor={typedId}>Type {typeToConfirm} to confirm</label>
          <input
            id={typedId}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
          />
        </div>
      )}
      {error ? (
        <p role="alert" className="notice notice-danger">
          {errorMessage(error)}
        </p>
      ) : null}
    </Dialog>
  );
}
