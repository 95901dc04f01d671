import diff from 'microdiff';
import type { PlannedWrite } from './writes';

export type FieldChange =
  | { path: string; kind: 'changed'; before: unknown; after: unknown }
  | { path: string; kind: 'added'; after: unknown }
  | { path: string; kind: 'removed'; before: unknown };

/**
 * One key's planned write as a person reads it: the fields that change (nested ones by their dotted
 * path), before → after, and the top-level fields left alone folded into a list to open on demand.
 */
export interface KeyDiff {
  key: string;
  /** create: the key is new; delete: it goes; update: fields change; unchanged: same value written */
  kind: 'create' | 'delete' | 'update' | 'unchanged';
  changes: FieldChange[];
  unchanged: { path: string; value: unknown }[];
}

/** Epoch seconds or milliseconds of this century, or ISO text, read as a date; else null. */
export function timestampAsDate(value: unknown): Date | null {
  if (typeof value === 'number') {
    if (value >= 1e9 && value < 1e10) return new Date(value * 1000);
    if (value >= 1e12 && value < 1e13) return new Date(value);
    return null;
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

/** A stored value as data: JSON parsed, anything else (a bare id, a malformed value) as its text. */
function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const isContainer = (value: unknown): value is Record<string, unknown> | unknown[] =>
  typeof value === 'object' && value !== null;

const fieldsOf = (value: unknown) =>
  isContainer(value) ? Object.entries(value).map(([path, item]) => ({ path, value: item })) : [];

/** The part of a write a diff reads: any planned write, an undo's plan, an audit entry's key images. */
export type DiffableWrite = Pick<PlannedWrite, 'key' | 'before' | 'after'>;

const isPlainList = (value: unknown): value is unknown[] =>
  Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object');

const valueAt = (value: unknown, path: readonly (string | number)[]): unknown =>
  path.reduce<unknown>(
    (at, step) => (isContainer(at) ? (at as Record<string | number, unknown>)[step] : undefined),
    value,
  );

/**
 * The fields that differ, nested ones by their dotted path. A list of plain values (ids, say) is
 * compared as a set — "sub_A removed" rather than every later position "changed" — and a list
 * whose items only moved is one change of the whole list.
 */
function fieldChanges(before: object, after: object): FieldChange[] {
  const changes: FieldChange[] = [];
  const lists = new Map<string, [unknown[], unknown[]]>();
  for (const change of diff(before, after)) {
    const parent = change.path.slice(0, -1);
    const [was, is] = [valueAt(before, parent), valueAt(after, parent)];
    if (parent.length > 0 && isPlainList(was) && isPlainList(is)) {
      lists.set(parent.join('.'), [was, is]);
      continue;
    }
    const path = change.path.join('.');
    if (change.type === 'CREATE') changes.push({ path, kind: 'added', after: change.value });
    else if (change.type === 'REMOVE') changes.push({ path, kind: 'removed', before: change.oldValue });
    else changes.push({ path, kind: 'changed', before: change.oldValue, after: change.value });
  }
  for (const [path, [was, is]] of lists) {
    const removed = was.filter((item) => !is.includes(item));
    const added = is.filter((item) => !was.includes(item));
    if (removed.length === 0 && added.length === 0)
      changes.push({ path, kind: 'changed', before: was, after: is });
    for (const item of removed) changes.push({ path, kind: 'removed', before: item });
    for (const item of added) changes.push({ path, kind: 'added', after: item });
  }
  return changes;
}

export function diffWrite(write: DiffableWrite): KeyDiff {
  const { key } = write;
  if (write.before === null && write.after === null)
    return { key, kind: 'unchanged', changes: [], unchanged: [] };
  if (write.before === null) {
    const after = parseValue(write.after as string);
    const changes: FieldChange[] = isContainer(after)
      ? fieldsOf(after).map(({ path, value }) => ({ path, kind: 'added', after: value }))
      : [{ path: '', kind: 'added', after }];
    return { key, kind: 'create', changes, unchanged: [] };
  }
  const before = parseValue(write.before);
  if (write.after === null) {
    const changes: FieldChange[] = isContainer(before)
      ? fieldsOf(before).map(({ path, value }) => ({ path, kind: 'removed', before: value }))
      : [{ path: '', kind: 'removed', before }];
    return { key, kind: 'delete', changes, unchanged: [] };
  }
  const after = parseValue(write.after);
  if (!isContainer(before) || !isContainer(after) || Array.isArray(before) !== Array.isArray(after)) {
    const same = write.before === write.after;
    return {
      key,
      kind: same ? 'unchanged' : 'update',
      changes: same ? [] : [{ path: '', kind: 'changed', before, after }],
      unchanged: [],
    };
  }
  const changes = fieldChanges(before, after);
  const touched = new Set(changes.map((change) => change.path.split('.')[0]));
  const unchanged = fieldsOf(after).filter(({ path }) => !touched.has(path));
  return { key, kind: changes.length === 0 ? 'unchanged' : 'update', changes, unchanged };
}

/** Fields a write stamps with the time it happens: a new time alone is no change of data. */
export const STAMP_FIELDS: readonly string[] = ['updatedAt', 'timestamp'];

/**
 * Whether a write changes nothing but its time stamp: a rebuild or refresh rewriting a record with
 * the data it already held. Such keys are folded with the unchanged ones, so a batch's hundreds of
 * re-stamped records do not bury the few whose data changed.
 */
export function onlyRestamped(write: DiffableWrite): boolean {
  const { kind, changes } = diffWrite(write);
  return (
    kind === 'update' &&
    changes.every((change) => change.kind === 'changed' && STAMP_FIELDS.includes(change.path))
  );
}

/**
 * Whether a write leaves its key as it was. The server's `unchanged` flag wins when the payload has
 * one (it knows a refresh's own timestamp does not count); else the values are compared as data.
 */
export function isUnchanged(write: DiffableWrite & { unchanged?: unknown }): boolean {
  return typeof write.unchanged === 'boolean' ? write.unchanged : diffWrite(write).kind === 'unchanged';
}

/**
 * Two key → value maps (an audit entry's before- and after-images, an undo conflict's two
 * versions) as one write per key. A key the second map does not name was not written: unchanged.
 */
export function imageWrites(
  before: Readonly<Record<string, string | null>>,
  after: Readonly<Record<string, string | null>>,
): DiffableWrite[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.map((key) => {
    const was = before[key] ?? null;
    return { key, before: was, after: key in after ? (after[key] ?? null) : was };
  });
}
