import { idKind, imageWrites } from '@cache-doctor/shared';
import { type FormEvent, Fragment, type ReactNode, useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../../api/errors';
import type { AuditEntry, UndoResult } from '../../api/types';
import { useConfirmedUndo } from '../../components/ConfirmUndo/ConfirmUndo';
import { DataTable } from '../../components/DataTable/DataTable';
import { DateTime } from '../../components/DateTime/DateTime';
import { DisclosureButton } from '../../components/DisclosureButton/DisclosureButton';
import { EmptyState } from '../../components/EmptyState/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { Page } from '../../components/Page/Page';
import { type BadgeTone, StatusBadge } from '../../components/StatusBadge/StatusBadge';
import { UndoConflict } from '../../components/UndoConflict/UndoConflict';
import { UserLabel } from '../../components/UserLabel/UserLabel';
import { KeyWrites } from '../../diff/KeyWrites';
import { useAuditLog } from '../../hooks/useAudit';
import { useStaff } from '../../hooks/useStaff';
import { paths } from '../../paths';

const RESULT_BADGES: Record<string, { tone: BadgeTone; label: string }> = {
  applied: { tone: 'ok', label: 'Applied' },
  failed: { tone: 'danger', label: 'Failed' },
  undone: { tone: 'neutral', label: 'Undone' },
  refused: { tone: 'warning', label: 'Refused' },
};

/** A target that is an id links to its page; a user reads as their email and name (issue #21). */
function Target({ entry }: { entry: AuditEntry }) {
  const { target, person } = entry;
  const kind = idKind(target);
  if (kind === 'user') return <UserLabel userId={target} email={person?.email} name={person?.name} />;
  if (kind === 'session')
    return (
      <JobOf entry={entry}>
        <Link to={paths.session(target)}>{target}</Link>
      </JobOf>
    );
  if (target.startsWith('job:'))
    return (
      <JobOf entry={entry}>
        <code>{target}</code>
      </JobOf>
    );
  return <code>{target}</code>;
}

/** An entry a job wrote (a batch, a session's repair) links to that job on the Jobs page (issue #21). */
function JobOf({ entry, children }: { entry: AuditEntry; children: ReactNode }) {
  const jobId = entry.jobId ?? (entry.target.startsWith('job:') ? entry.target.slice('job:'.length) : null);
  if (!jobId) return children;
  return (
    <>
      {children}{' '}
      <Link className="audit-note" to={`${paths.jobs}?job=${encodeURIComponent(jobId)}`}>
        Open its job
      </Link>
    </>
  );
}

/**
 * Undo restores the keys an entry wrote; one that wrote none (a policy change, pause or resume: its
 * state is not a cache key) has nothing to undo, and the server refuses it (NOT_UNDOABLE).
 */
const wroteKeys = (entry: AuditEntry) => Object.keys(entry.after).length > 0;

function Filters({ actor, target }: { actor: string; target: string }) {
  const [, setParams] = useSearchParams();
  const [draft, setDraft] = useState({ actor, target });
  const actorId = useId();
  const targetId = useId();

  const apply = (next: { actor: string; target: string }) => {
    const params = new URLSearchParams();
    if (next.actor.trim()) params.set('actor', next.actor.trim());
    if (next.target.trim()) params.set('target', next.target.trim());
    setParams(params);
  };
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    apply(draft);
  };

  return (
    <form className="filters" onSubmit={onSubmit} aria-label="Filter the audit log">
      <div className="field">
        <label htmlFor={actorId}>Actor</label>
        <input
          id={actorId}
          type="text"
          value={draft.actor}
          onChange={(event) => setDraft({ ...draft, actor: event.target.value })}
          autoComplete="off"
        />
      </div>
      <div className="field">
        <label htmlFor={targetId}>Target</label>
        <input
          id={targetId}
          type="text"
          value={draft.target}
          onChange={(event) => setDraft({ ...draft, target: event.target.value })}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <div className="filters-actions">
        <button type="submit" className="button">
          Filter
        </button>
        {actor || target ? (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              setDraft({ actor: '', target: '' });
              apply({ actor: '', target: '' });
            }}
          >
            Clear filters
          </button>
        ) : null}
      </div>
    </form>
  );
}

function EntryRow({ entry, mayUndo }: { entry: AuditEntry; mayUndo: boolean }) {
  const [open, setOpen] = useState(false);
  const [undone, setUndone] = useState<UndoResult | null>(null);
  const { start: startUndo, dialog: undoDialog, undo } = useConfirmedUndo(setUndone);
  const detailsId = useId();
  const targetId = useId();
  const badge = RESULT_BADGES[entry.result] ?? { tone: 'neutral' as const, label: entry.result };
  const undoable =
    mayUndo && entry.result === 'applied' && !entry.undoneBy && !entry.undoOf && wroteKeys(entry);

  return (
    <Fragment>
      <tr>
        <td>
          <DateTime at={entry.at} />
        </td>
        <td>
          {entry.actorName ?? entry.actor}
          {entry.actorName && entry.actorName !== entry.actor ? (
            <span className="muted audit-note"> {entry.actor}</span>
          ) : null}
        </td>
        <td>{entry.role}</td>
        <td>
          <code>{entry.action}</code>
          {entry.undoOf ? <span className="muted audit-note"> undoes an earlier change</span> : null}
        </td>
        <td id={targetId}>
          <Target entry={entry} />
        </td>
        <td>
          <StatusBadge tone={badge.tone}>{badge.label}</StatusBadge>
          {entry.undoneBy ? <span className="muted audit-note"> later undone</span> : null}
        </td>
        <td>
          <div className="audit-actions">
            <DisclosureButton
              className="button button-quiet button-small"
              open={open}
              onToggle={() => setOpen(!open)}
              controls={detailsId}
              describedBy={targetId}
              show="Show changes"
              hide="Hide changes"
            />
            {undoable ? (
              <button
                type="button"
                className="button button-small"
                aria-describedby={targetId}
                onClick={() => startUndo(entry.id)}
                disabled={undo.isPending || undone !== null}
                aria-busy={undo.isPending}
              >
                Undo
              </button>
            ) : null}
            {undoDialog}
          </div>
        </td>
      </tr>
      {undone || undo.isError ? (
        <tr className="audit-feedback">
          <td colSpan={7}>
            {undone ? (
              <p className="notice notice-info" role="status">
                Undone: restored {undone.restored.length === 1 ? '1 key' : `${undone.restored.length} keys`}.
              </p>
            ) : undo.error instanceof ApiError && undo.error.code === 'UNDO_CONFLICT' ? (
              <UndoConflict error={undo.error} />
            ) : (
              <ErrorMessage title="Could not undo" error={undo.error} />
            )}
          </td>
        </tr>
      ) : null}
      <tr id={detailsId} className="audit-details" hidden={!open}>
        <td colSpan={7}>
          {open && wroteKeys(entry) ? (
            <KeyWrites writes={imageWrites(entry.before, entry.after)} label="Changes" />
          ) : null}
          {open && 'message' in entry && typeof entry.message === 'string' ? (
            <p className="muted">{entry.message}</p>
          ) : null}
        </td>
      </tr>
    </Fragment>
  );
}

/** `/audit` (SPEC §9): every write, newest first, filterable by actor and target, with undo where allowed. */
export function AuditPage() {
  const [params] = useSearchParams();
  const actor = params.get('actor') ?? '';
  const target = params.get('target') ?? '';
  const log = useAuditLog({ actor, target });
  const { staff, can } = useStaff();
  const entries = log.data?.pages.flatMap((page) => page.entries) ?? [];
  const historyLost = log.data?.pages[0]?.historyLost ?? null;
  const mayUndo = (entry: AuditEntry) => can('undo:any') || (can('undo:own') && entry.actor === staff?.id);

  return (
    <Page heading="Audit log">
      <p className="lede">
        Every write Cache Doctor made, newest first: who, with which role, what it touched and the values
        before and after.
      </p>
      <Filters key={`${actor}\u0000${target}`} actor={actor} target={target} />
      {historyLost ? (
        <p className="notice notice-danger" role="status">
          <strong>
            Audit history lost at <DateTime at={historyLost.at} />
          </strong>{' '}
          ({historyLost.reason}). Entries from before then are gone and cannot be undone; this log starts
          after it.
        </p>
      ) : null}
      {log.isPending ? <Loading label="Loading the audit log…" /> : null}
      {log.isError && entries.length === 0 ? (
        <ErrorMessage
          title="Could not load the audit log"
          error={log.error}
          onRetry={() => void log.refetch()}
        />
      ) : null}
      {log.isSuccess && entries.length === 0 ? (
        <EmptyState
          title={
            actor || target ? 'No matching entries' : historyLost ? 'No entries since then' : 'No entries yet'
          }
        >
          <p>
            {actor || target
              ? 'No write matches these filters. The actor must match exactly; the target may be part of an id.'
              : historyLost
                ? 'Nothing has been written since the history was lost.'
                : 'Nothing has been written yet. Refreshes, session fixes, generations and undos appear here.'}
          </p>
        </EmptyState>
      ) : null}
      {entries.length > 0 ? (
        <DataTable
          className="audit-table"
          caption="Audit log entries, newest first"
          captionHidden
          columns={[
            'Time',
            'Actor',
            'Role',
            'Action',
            'Target',
            'Result',
            { label: 'Details and undo', hidden: true },
          ]}
          rows={entries}
          rowKey={(entry) => entry.id}
          virtualRowHeight={46}
          renderRow={(entry) => <EntryRow entry={entry} mayUndo={mayUndo(entry)} />}
        />
      ) : null}
      {log.isError && entries.length > 0 ? (
        <ErrorMessage title="Could not load more entries" error={log.error} />
      ) : null}
      {log.hasNextPage ? (
        <button
          type="button"
          className="button"
          onClick={() => void log.fetchNextPage()}
          disabled={log.isFetchingNextPage}
          aria-busy={log.isFetchingNextPage}
        >
          {log.isFetchingNextPage ? 'Loading more…' : 'Load more'}
        </button>
      ) : null}
    </Page>
  );
}
