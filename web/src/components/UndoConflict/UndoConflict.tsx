import { imageWrites } from '@cache-doctor/shared';
import type { ApiError } from '../../api/errors';
import { KeyWrites } from '../../diff/KeyWrites';
import { formatRaw } from '../../format';
import { RawValue } from '../RawValue/RawValue';

function versions(details: unknown): { expected: unknown; current: unknown } | null {
  if (typeof details !== 'object' || details === null) return null;
  if (!('expected' in details) || !('current' in details)) return null;
  return { expected: details.expected, current: details.current };
}

/** A key → raw value map, as the server sends a conflict's two versions. */
function isKeyImages(value: unknown): value is Record<string, string | null> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((raw) => raw === null || typeof raw === 'string')
  );
}

/**
 * SPEC §3: undo restores the keys only if they still hold what the write left; otherwise the server
 * answers 409 UNDO_CONFLICT with both versions. Shown as a diff (issue #21): per key, what the change
 * left → what it holds now, so a person sees exactly what was written since and can decide.
 */
export function UndoConflict({ error }: { error: ApiError }) {
  const both = versions(error.details);
  return (
    <div role="alert" className="notice notice-danger">
      <p>
        <strong>Nothing was undone.</strong> {error.message}
      </p>
      {both && isKeyImages(both.expected) && isKeyImages(both.current) ? (
        <>
          <p>What the change left (before) → what the keys hold now (after):</p>
          <KeyWrites writes={imageWrites(both.expected, both.current)} label="Written since the change" />
        </>
      ) : both ? (
        <div className="conflict-versions">
          <div className="conflict-version">
            <h3>What the change left</h3>
            <RawValue>{formatRaw(both.expected)}</RawValue>
          </div>
          <div className="conflict-version">
            <h3>What the keys hold now</h3>
            <RawValue>{formatRaw(both.current)}</RawValue>
          </div>
        </div>
      ) : null}
    </div>
  );
}
