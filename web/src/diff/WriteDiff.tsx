import type { PlannedWrite } from '@cache-doctor/shared';
import { diffWrite, type FieldChange } from './writeDiff';

/** Epoch seconds or milliseconds of this century read as a date; the raw figure stays on hover. */
function asDate(value: number): Date | null {
  if (value >= 1e9 && value < 1e10) return new Date(value * 1000);
  if (value >= 1e12 && value < 1e13) return new Date(value);
  return null;
}

function Shown({ value }: { value: unknown }) {
  if (typeof value === 'number') {
    const date = asDate(value);
    if (date)
      return (
        <time dateTime={date.toISOString()} title={String(value)}>
          {date.toLocaleString()}
        </time>
      );
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return <code className="diff-value">{text}</code>;
}

const WORDS: Record<FieldChange['kind'], string> = { changed: 'changed', added: 'added', removed: 'removed' };

/** One key's write as its changed fields, before → after, highlighted; untouched fields folded. */
export function WriteDiff({ write }: { write: Pick<PlannedWrite, 'key' | 'before' | 'after'> }) {
  const { changes, unchanged } = diffWrite(write);
  return (
    <div className="diff">
      {write.before === null ? <p className="muted plan-none">Before: (does not exist)</p> : null}
      {write.after === null ? <p className="muted plan-none">After: (deleted)</p> : null}
      <table className="diff-table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.path} className={`diff-row diff-${change.kind}`} data-change={change.kind}>
              <th scope="row">
                <code>{change.path || '(whole value)'}</code>{' '}
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
