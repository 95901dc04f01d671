import { type DiffableWrite, isUnchanged, onlyRestamped, STAMP_FIELDS } from '@cache-doctor/shared';
import { type ReactNode, useState } from 'react';
import { Breakable, WriteDiff } from './WriteDiff';

/** Keys written with what they already held are listed one by one up to this many, then folded. */
const UNCHANGED_LISTED = 3;
/** Keys whose diff is shown before "Show all": a rebuild's write must not become a page of JSON. */
const CHANGED_SHOWN = 20;

type Write = DiffableWrite & { unchanged?: unknown };

interface KeyWritesProps<W extends Write> {
  writes: readonly W[];
  /** the list's accessible name: "Planned writes", "Keys to remove", "Changes" */
  label: string;
  /** words beside a key's badge: when it expires, why it goes */
  note?: (write: W) => ReactNode;
}

function Badge({ write }: { write: Write }) {
  if (write.before === null) return <span className="badge badge-info">created</span>;
  if (write.after === null) return <span className="badge badge-warning">deleted</span>;
  return <span className="badge badge-info">changes</span>;
}

/** Keys that kept their data, named one by one while few, else folded behind one summary. */
function Folded<W extends Write>({
  writes,
  badge,
  summary,
  noteOf,
}: {
  writes: readonly W[];
  badge: string;
  summary: string;
  noteOf: (write: W) => ReactNode;
}) {
  if (writes.length === 0) return null;
  if (writes.length <= UNCHANGED_LISTED)
    return writes.map((write) => (
      <li key={write.key} className="plan-entry plan-unchanged">
        <div className="plan-key">
          <code>
            <Breakable text={write.key} />
          </code>{' '}
          <span className="badge badge-neutral">{badge}</span>
          {noteOf(write)}
        </div>
      </li>
    ));
  return (
    <li className="plan-entry plan-unchanged">
      <details>
        <summary>
          {writes.length} {summary}
        </summary>
        <ul className="plain-list">
          {writes.map((write) => (
            <li key={write.key}>
              <code>
                <Breakable text={write.key} />
              </code>
              {noteOf(write)}
            </li>
          ))}
        </ul>
      </details>
    </li>
  );
}

/**
 * Several keys' writes, as every page shows them (previews, undo, the audit log, job results):
 * each key with what happens to it and its field-by-field diff; keys whose data stays as it was
 * (written as they were, or only re-stamped) named but folded; past {@link CHANGED_SHOWN} changed
 * keys the rest one click away.
 */
export function KeyWrites<W extends Write>({ writes, label, note }: KeyWritesProps<W>) {
  const [all, setAll] = useState(false);
  const unchanged = writes.filter((write) => isUnchanged(write));
  const restamped = writes.filter((write) => !isUnchanged(write) && onlyRestamped(write));
  const changed = writes.filter((write) => !isUnchanged(write) && !onlyRestamped(write));
  const shown = all ? changed : changed.slice(0, CHANGED_SHOWN);
  const noteOf = (write: W) => (note ? <> {note(write)}</> : null);
  return (
    <>
      <ol className="plan" aria-label={label}>
        {shown.map((write) => (
          <li key={write.key} className="plan-entry">
            <div className="plan-key">
              <code>
                <Breakable text={write.key} />
              </code>{' '}
              <Badge write={write} />
              {noteOf(write)}
            </div>
            <WriteDiff write={write} />
          </li>
        ))}
        <Folded
          writes={restamped}
          badge="same data, new time"
          summary={`keys rewritten with the same data (only ${STAMP_FIELDS.join(' or ')} moved)`}
          noteOf={noteOf}
        />
        <Folded
          writes={unchanged}
          badge="unchanged"
          summary="keys unchanged (written with what they already hold)"
          noteOf={noteOf}
        />
      </ol>
      {changed.length > shown.length ? (
        <button type="button" className="button button-quiet button-small" onClick={() => setAll(true)}>
          Show all {changed.length} changed keys
        </button>
      ) : null}
    </>
  );
}
