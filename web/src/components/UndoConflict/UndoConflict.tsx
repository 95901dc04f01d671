import type { ApiError } from '../../api/errors';
import { formatRaw } from '../../format';
import { RawValue } from '../RawValue/RawValue';

function versions(details: unknown): { expected: unknown; current: unknown } | null {
  if (typeof details !== 'object' || details === null) return null;
  if (!('expected' in details) || !('current' in details)) return null;
  return { expected: details.expected, current: details.current };
}

function isKeyMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function Version({ title, value }: { title: string; value: unknown }) {
  return (
    <div className="conflict-version">
      <h3>{title}</h3>
      {isKeyMap(value) ? (
        <dl className="key-values">
          {Object.entries(value).map(([key, raw]) => (
            <div key={key}>
              <dt>
                <code>{key}</code>
              </dt>
              <dd>
                <RawValue>{raw === null ? '(key does not exist)' : formatRaw(raw)}</RawValue>
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <RawValue>{formatRaw(value)}</RawValue>
      )}
    </div>
  );
}

/**
 * SPEC §3: undo restores the keys only if they still hold what the write left; otherwise the server
 * answers 409 UNDO_CONFLICT with both versions, shown side by side so a person can decide.
 */
export function UndoConflict({ error }: { error: ApiError }) {
  const both = versions(error.details);
  return (
    <div role="alert" className="notice notice-danger">
      <p>
        <strong>Nothing was undone.</strong> {error.message}
      </p>
      {both ? (
        <div className="conflict-versions">
          <Version title="What the change left" value={both.expected} />
          <Version title="What the keys hold now" value={both.current} />
        </div>
      ) : null}
    </div>
  );
}
