import { Link } from 'react-router';
import { Dialog } from '../../components/Dialog/Dialog';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { KeyWrites } from '../../diff/KeyWrites';
import { useJobResultChanges } from '../../hooks/useJobs';
import { paths } from '../../paths';

/**
 * One user's (or session's) changes in a job, field by field (issue #21: a job's changes per user,
 * the diff one click away), read from the audit entry of the batch that wrote them.
 */
export function ResultChanges({
  jobId,
  target,
  label,
  onClose,
}: {
  jobId: string;
  /** the user or session shown; null: the dialog is closed */
  target: string | null;
  label: string;
  onClose: () => void;
}) {
  const changes = useJobResultChanges(jobId, target);
  return (
    <Dialog
      open={target !== null}
      title={`What the job changed for ${label}`}
      onClose={onClose}
      actions={
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      }
    >
      {changes.isLoading ? <Loading label="Reading the audit entry…" /> : null}
      {changes.isError ? <ErrorMessage title="Could not read the changes" error={changes.error} /> : null}
      {changes.data ? (
        <>
          <KeyWrites writes={changes.data.changes} label="Changes" />
          <p className="muted">
            Written in one batch, audit entry{' '}
            <Link to={`${paths.audit}?target=${encodeURIComponent(`job:${jobId}`)}`}>
              <code>{changes.data.auditId}</code>
            </Link>{' '}
            (undo the batch there).
          </p>
        </>
      ) : null}
    </Dialog>
  );
}

/** The button beside a result that opens its changes; `who` names the user or session for screen readers. */
export function ShowChangesButton({ who, onClick }: { who: string; onClick: () => void }) {
  return (
    <>
      {' '}
      <button
        type="button"
        className="button button-quiet button-small"
        aria-label={`Show changes for ${who}`}
        onClick={onClick}
      >
        Show changes
      </button>
    </>
  );
}
