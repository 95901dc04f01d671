import { type DiffableWrite, diffWrite, type FieldChange, timestampAsDate } from '@cache-doctor/shared';
import { Fragment, type ReactNode } from 'react';
import { stackingTable } from '../components/DataTable/DataTable';
import { formatDateTime } from '../format';

/**
 * Text with a line-break opportunity after each separator (`/`, `,`, `&`, `?`, `=`, `.`, `:`), so a
 * long URL, list or path wraps between its tokens and an id (`cus_…`, `sub_…`) is never cut in two.
 */
export function Breakable({ text }: { text: string }): ReactNode {
  const parts = text.split(/(?<=[/,&?=.:])/);
  if (parts.length === 1) return text;
  return parts.map((part, index) => (
    // the parts of one fixed text: their order is their identity
    // biome-ignore lint/suspicious/noArrayIndexKey: see above
    <Fragment key={index}>
      {part}
      {index < parts.length - 1 ? <wbr /> : null}
    </Fragment>
  ));
}

/** One field's value: a timestamp as a date with the raw figure on hover, anything else as data. */
function Shown({ value }: { value: unknown }) {
  const date = timestampAsDate(value);
  if (date)
    return (
      <time dateTime={date.toISOString()} title={String(value)}>
        {formatDateTime(date)}
      </time>
    );
  const text = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
  return (
    <code className="diff-value">
      <Breakable text={text} />
    </code>
  );
}

const WORDS: Record<FieldChange['kind'], string> = { changed: 'changed', added: 'added', removed: 'removed' };

/** In a narrow window each change stacks, its values on lines of their own (ids keep whole). */
const DIFF_COLUMNS = stackingTable(['Field', 'Before', 'After']);

/** A list's items share its path ("subscriptions": one removed, one added): the value tells them apart. */
const changeKey = (change: FieldChange) =>
  `${change.kind}:${change.path}:${JSON.stringify('before' in change ? change.before : change.after)}`;

/**
 * One key's write as its changed fields, before → after, highlighted; untouched fields folded.
 * Props are stable for every page that shows a write: `write` is `{ key, before, after }` with the
 * raw stored strings (null: the key does not exist before / is deleted after).
 */
export function WriteDiff({ write }: { write: DiffableWrite }) {
  const { changes, unchanged } = diffWrite(write);
  return (
    <div className="diff">
      {write.before === null ? <p className="muted plan-none">Before: (does not exist)</p> : null}
      {write.after === null ? <p className="muted plan-none">After: (deleted)</p> : null}
      <table className="diff-table table-stacks" style={DIFF_COLUMNS.style}>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={changeKey(change)} className={`diff-row diff-${change.kind}`} data-change={change.kind}>
              <th scope="row">
                <code>{change.path ? <Breakable text={change.path} /> : '(whole value)'}</code>{' '}
                <span className="muted">{WORDS[change.kind]}</span>
              </th>
              <td>
                {'before' in change ? <Shown value={change.before} /> : <span className="muted">—</span>}
              </td>
              <td>{'after' in change ? <Shown value={change.after} /> : <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {unchanged.length > 0 ? (
        <details className="diff-unchanged">
          <summary>
            {unchanged.length} unchanged {unchanged.length === 1 ? 'field' : 'fields'}
          </summary>
          <dl>
            {unchanged.map((field) => (
              <div key={field.path}>
                <dt>
                  <code>{field.path}</code>
                </dt>
                <dd>
                  <Shown value={field.value} />
                </dd>
              </div>
            ))}
          </dl>
        </details>
      ) : null}
    </div>
  );
}
