import { describe, expect, it } from 'vitest';
import { diffWrite, imageWrites, isUnchanged, onlyRestamped } from './write-diff';

const record = {
  stripeCustomerId: 'cus_123',
  email: 'ada@example.com',
  userId: 'user_1',
  created: 1_700_000_000,
  subscriptions: [{ id: 'sub_1', status: 'active' }],
};
const json = (value: unknown) => JSON.stringify(value);

describe('a planned write as a diff', () => {
  it('lists only the changed field, before → after, and folds the unchanged ones', () => {
    const result = diffWrite({
      key: 'stripe:customer:cus_123',
      before: json(record),
      after: json({ ...record, email: 'ada@new.example' }),
    });
    expect(result.kind).toBe('update');
    expect(result.changes).toEqual([
      { path: 'email', kind: 'changed', before: 'ada@example.com', after: 'ada@new.example' },
    ]);
    expect(result.unchanged.map((field) => field.path)).toEqual([
      'stripeCustomerId',
      'userId',
      'created',
      'subscriptions',
    ]);
  });

  it('names added and removed fields', () => {
    const { email: _email, ...withoutEmail } = record;
    const result = diffWrite({
      key: 'k',
      before: json(withoutEmail),
      after: json({ ...record, email: 'a@b.c' }),
    });
    expect(result.changes).toEqual([{ path: 'email', kind: 'added', after: 'a@b.c' }]);
    const removed = diffWrite({ key: 'k', before: json(record), after: json(withoutEmail) });
    expect(removed.changes).toEqual([{ path: 'email', kind: 'removed', before: 'ada@example.com' }]);
  });

  it('gives a nested change its dotted path and folds its untouched siblings', () => {
    const after = { ...record, subscriptions: [{ id: 'sub_1', status: 'canceled' }] };
    const result = diffWrite({ key: 'k', before: json(record), after: json(after) });
    expect(result.changes).toEqual([
      { path: 'subscriptions.0.status', kind: 'changed', before: 'active', after: 'canceled' },
    ]);
    expect(result.unchanged.map((field) => field.path)).not.toContain('subscriptions');
  });

  it('reads a new key as all added, a deleted key as removed, a bare value as one change', () => {
    expect(diffWrite({ key: 'k', before: null, after: json({ a: 1 }) })).toMatchObject({
      kind: 'create',
      changes: [{ path: 'a', kind: 'added', after: 1 }],
    });
    expect(diffWrite({ key: 'k', before: 'cus_1', after: null })).toMatchObject({
      kind: 'delete',
      changes: [{ path: '', kind: 'removed', before: 'cus_1' }],
    });
    // a deleted record reads field by field, like a created one
    expect(diffWrite({ key: 'k', before: json({ a: 1, b: 'x' }), after: null })).toMatchObject({
      kind: 'delete',
      changes: [
        { path: 'a', kind: 'removed', before: 1 },
        { path: 'b', kind: 'removed', before: 'x' },
      ],
    });
    expect(diffWrite({ key: 'k', before: 'cus_1', after: 'cus_2' }).changes).toEqual([
      { path: '', kind: 'changed', before: 'cus_1', after: 'cus_2' },
    ]);
    expect(diffWrite({ key: 'k', before: json(record), after: json(record) })).toMatchObject({
      kind: 'unchanged',
      changes: [],
    });
  });
});

describe('isUnchanged', () => {
  it("trusts the server's flag, else compares the values as data (key order aside)", () => {
    expect(isUnchanged({ key: 'k', before: 'a', after: 'b', unchanged: true })).toBe(true);
    expect(isUnchanged({ key: 'k', before: '{"a":1,"b":2}', after: '{"b":2,"a":1}' })).toBe(true);
    expect(isUnchanged({ key: 'k', before: '{"a":1}', after: '{"a":2}' })).toBe(false);
    expect(isUnchanged({ key: 'k', before: null, after: 'x' })).toBe(false);
  });
});

describe('imageWrites', () => {
  it('pairs before- and after-images by key; a key only before was not written', () => {
    expect(imageWrites({ a: null, b: 'x', c: 'y' }, { a: '1', b: null })).toEqual([
      { key: 'a', before: null, after: '1' },
      { key: 'b', before: 'x', after: null },
      { key: 'c', before: 'y', after: 'y' },
    ]);
  });
});

describe('onlyRestamped', () => {
  it('is a write whose data is the same and whose time stamp moved, nothing else', () => {
    const at = (updatedAt: number, email = 'a@example.com') => JSON.stringify({ email, updatedAt });
    expect(onlyRestamped({ key: 'k', before: at(1), after: at(2) })).toBe(true);
    expect(onlyRestamped({ key: 'k', before: at(1), after: at(2, 'b@example.com') })).toBe(false);
    expect(onlyRestamped({ key: 'k', before: at(1), after: at(1) })).toBe(false);
    expect(onlyRestamped({ key: 'k', before: null, after: at(1) })).toBe(false);
    expect(onlyRestamped({ key: 'k', before: '{"a":1}', after: '{"a":1,"updatedAt":2}' })).toBe(false);
  });
});

describe('lists of plain values', () => {
  const write = (before: unknown, after: unknown) => ({
    key: 'customer:cus_1',
    before: JSON.stringify(before),
    after: JSON.stringify(after),
  });

  it('reads as items removed and added, not as every later position changed', () => {
    const { changes } = diffWrite(
      write({ subscriptions: ['sub_A', 'sub_B', 'sub_C'] }, { subscriptions: ['sub_B', 'sub_C', 'sub_D'] }),
    );
    expect(changes).toEqual([
      { path: 'subscriptions', kind: 'removed', before: 'sub_A' },
      { path: 'subscriptions', kind: 'added', after: 'sub_D' },
    ]);
  });

  it('a list whose items only moved is one change of the whole list', () => {
    const { kind, changes } = diffWrite(write({ ids: ['a', 'b'] }, { ids: ['b', 'a'] }));
    expect(kind).toBe('update');
    expect(changes).toEqual([{ path: 'ids', kind: 'changed', before: ['a', 'b'], after: ['b', 'a'] }]);
  });

  it('a list of objects is still compared field by field', () => {
    const { changes } = diffWrite(write({ items: [{ id: 1, n: 'x' }] }, { items: [{ id: 1, n: 'y' }] }));
    expect(changes).toEqual([{ path: 'items.0.n', kind: 'changed', before: 'x', after: 'y' }]);
  });
});
