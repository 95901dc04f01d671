import { describe, expect, it } from 'vitest';
import { isMissingCursor, OrderedIndex, type Page } from './ordered-index';

interface Item {
  id: string;
  created: number;
}
const index = (items: Item[]) => {
  const ordered = new OrderedIndex<Item>(
    (i) => i.id,
    (i) => i.created,
  );
  ordered.load(items);
  return ordered;
};
const ids = (page: Page<Item> | { missingCursor: string }) => {
  if (isMissingCursor(page)) throw new Error(`missing ${page.missingCursor}`);
  return { ids: page.data.map((i) => i.id), hasMore: page.hasMore };
};

// a, b, c share a second: arrival order breaks the tie, so b is newer than a.
const items: Item[] = [
  { id: 'a', created: 10 },
  { id: 'b', created: 10 },
  { id: 'c', created: 10 },
  { id: 'd', created: 20 },
  { id: 'e', created: 30 },
];

describe('OrderedIndex', () => {
  it('pages newest first with ties in a stable order and a truthful hasMore', () => {
    const ordered = index(items);
    expect(ids(ordered.pageNewestFirst({ limit: 2 }))).toEqual({ ids: ['e', 'd'], hasMore: true });
    expect(ids(ordered.pageNewestFirst({ limit: 2, startingAfter: 'd' }))).toEqual({
      ids: ['c', 'b'],
      hasMore: true,
    });
    expect(ids(ordered.pageNewestFirst({ limit: 2, startingAfter: 'b' }))).toEqual({
      ids: ['a'],
      hasMore: false,
    });
    expect(ids(ordered.pageNewestFirst({ limit: 3, startingAfter: 'c' }))).toEqual({
      ids: ['b', 'a'],
      hasMore: false,
    });
  });

  it('pages towards newer items with endingBefore, still presented newest first', () => {
    const ordered = index(items);
    expect(ids(ordered.pageNewestFirst({ limit: 2, endingBefore: 'a' }))).toEqual({
      ids: ['c', 'b'],
      hasMore: true,
    });
    expect(ids(ordered.pageNewestFirst({ limit: 2, endingBefore: 'c' }))).toEqual({
      ids: ['e', 'd'],
      hasMore: false,
    });
    expect(ordered.pageNewestFirst({ limit: 2, endingBefore: 'zz' })).toEqual({ missingCursor: 'zz' });
  });

  it('honours created ranges and filters', () => {
    const ordered = index(items);
    expect(ids(ordered.pageNewestFirst({ limit: 10, range: { gt: 10 } })).ids).toEqual(['e', 'd']);
    expect(ids(ordered.pageNewestFirst({ limit: 10, range: { gte: 10, lt: 20 } })).ids).toEqual([
      'c',
      'b',
      'a',
    ]);
    expect(ids(ordered.pageNewestFirst({ limit: 10, range: { lte: 20, gt: 10 } })).ids).toEqual(['d']);
    expect(ids(ordered.pageNewestFirst({ limit: 1, filter: (i) => i.id !== 'e' && i.id !== 'c' }))).toEqual({
      ids: ['d'],
      hasMore: true,
    });
    expect(ordered.count((i) => i.created === 10)).toBe(3);
    expect(ordered.count(undefined, { gte: 20 })).toBe(2);
  });

  it('pages by offset in both directions, with and without a filter', () => {
    const ordered = index(items);
    expect(ordered.pageByOffset({ limit: 2, offset: 1, newestFirst: true })).toEqual([items[3], items[2]]);
    expect(ordered.pageByOffset({ limit: 2, offset: 4, newestFirst: false })).toEqual([items[4]]);
    expect(
      ordered.pageByOffset({ limit: 5, offset: 1, newestFirst: false, filter: (i) => i.created === 10 }),
    ).toEqual([items[1], items[2]]);
    expect(ordered.pageByOffset({ limit: 2, offset: 0, newestFirst: false, startingAfter: 'b' })).toEqual([
      items[2],
      items[3],
    ]);
  });

  it('keeps order through replace, re-date, delete and subsets', () => {
    const ordered = index(items);
    ordered.put({ id: 'b', created: 10 });
    expect(ids(ordered.pageNewestFirst({ limit: 10 })).ids).toEqual(['e', 'd', 'c', 'b', 'a']);
    ordered.put({ id: 'a', created: 40 });
    ordered.put({ id: 'f', created: 5 });
    expect(ordered.delete('d')).toBe(true);
    expect(ids(ordered.pageNewestFirst({ limit: 10 })).ids).toEqual(['a', 'e', 'c', 'b', 'f']);
    expect(ids(ordered.subset(['f', 'c', 'nope']).pageNewestFirst({ limit: 10 })).ids).toEqual(['c', 'f']);
    expect(ordered.size).toBe(5);
  });

  it('pages 100,000 items from any cursor without scanning', () => {
    const many = index(
      Array.from({ length: 100_000 }, (_, i) => ({ id: `i${i}`, created: Math.floor(i / 7) })),
    );
    const started = performance.now();
    let cursor: string | undefined;
    let seen = 0;
    for (;;) {
      const page = many.pageNewestFirst({ limit: 100, startingAfter: cursor });
      if (isMissingCursor(page)) throw new Error('cursor lost');
      seen += page.data.length;
      cursor = page.data.at(-1)?.id;
      if (!page.hasMore) break;
    }
    expect(seen).toBe(100_000);
    // Generous: linear-per-page paging would take seconds here.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
