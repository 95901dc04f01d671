import { type CreateJob, idKind } from '@cache-doctor/shared';
import { useId, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { useStartJob } from '../../hooks/useJobs';
import { useStaff } from '../../hooks/useStaff';

/** `user_...` ids from free text: one per line, or separated by commas or spaces. */
function parseUserIds(text: string): { valid: string[]; invalid: string[] } {
  const words = text.split(/[\s,]+/).filter((word) => word !== '');
  const valid = [...new Set(words.filter((word) => idKind(word) === 'user'))];
  return { valid, invalid: words.filter((word) => idKind(word) !== 'user') };
}

/** SPEC §9: "Health sweep", "Bulk refresh" and "Rebuild cache", each shown to the roles that may start it. */
export function StartButtons() {
  const { can } = useStaff();
  const start = useStartJob();
  const [dialog, setDialog] = useState<'rebuild' | 'bulk-refresh' | null>(null);
  const [userIdsText, setUserIdsText] = useState('');
  const textId = useId();
  const parsed = parseUserIds(userIdsText);

  const run = (request: CreateJob) =>
    start.mutate(request, {
      onSuccess: () => {
        setDialog(null);
        setUserIdsText('');
      },
    });
  const close = () => {
    setDialog(null);
    start.reset();
  };
  if (!can('sweep') && !can('bulk-refresh') && !can('rebuild')) return null;

  return (
    <>
      {can('sweep') ? (
        <button
          type="button"
          className="button button-primary"
          onClick={() => run({ type: 'sweep' })}
          disabled={start.isPending}
        >
          Health sweep
        </button>
      ) : null}
      {can('bulk-refresh') ? (
        <button type="button" className="button" onClick={() => setDialog('bulk-refresh')}>
          Bulk refresh
        </button>
      ) : null}
      {can('rebuild') ? (
        <button type="button" className="button button-danger" onClick={() => setDialog('rebuild')}>
          Rebuild cache
        </button>
      ) : null}
      {start.isError && dialog === null ? (
        <ErrorMessage title="Could not start the job" error={start.error} />
      ) : null}
      <ConfirmDialog
        open={dialog === 'rebuild'}
        title="Rebuild the whole cache?"
        confirmLabel="Start rebuild"
        danger
        pending={start.isPending}
        error={dialog === 'rebuild' ? start.error : null}
        onConfirm={() => run({ type: 'rebuild' })}
        onCancel={close}
      >
        <p>
          Every Clerk user's customer cache is rewritten from Stripe, a batch at a time, each batch in one
          atomic write with its before-images in the audit log (undoable batch by batch). Users whose problems
          a refresh cannot fix are listed, not changed.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'bulk-refresh'}
        title="Refresh a list of users"
        confirmLabel="Start bulk refresh"
        pending={start.isPending}
        error={dialog === 'bulk-refresh' ? start.error : null}
        onConfirm={() => {
          if (parsed.valid.length > 0) run({ type: 'bulk-refresh', userIds: parsed.valid });
        }}
        onCancel={close}
      >
        <div className="field">
          <label htmlFor={textId}>User ids (user_…), one per line</label>
          <textarea
            id={textId}
            rows={6}
            value={userIdsText}
            onChange={(event) => setUserIdsText(event.target.value)}
            spellCheck={false}
          />
        </div>
        <p className="muted">
          {parsed.valid.length} {parsed.valid.length === 1 ? 'user' : 'users'}
          {parsed.invalid.length > 0
            ? `; not user ids, ignored: ${parsed.invalid.slice(0, 5).join(', ')}`
            : ''}
        </p>
      </ConfirmDialog>
    </>
  );
}
