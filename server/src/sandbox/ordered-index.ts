/**
 * A collection kept in creation order, the order both Stripe and Clerk list in. Items are sorted
 * by (created, arrival sequence): many seeded objects share a creation second, and the sequence
 * keeps their order total and stable, so a cursor never skips or repeats an item.
 *
 * Lookups by id are O(1) and a cursor's position is a binary search, so paging through 100,000
 * customers costs the same on the last page as on the first.
 */

interface Entry<T> {
  item: T;
  created: number;
  seq: number;
}

/** Stripe's `created[gt|gte|lt|lte]`, in whatever unit the collection's `created` uses. */
export interface CreatedRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

/** A cursor naming an id the collection does not hold; upstreams answer it with their own error. */
export interface MissingCursor {
  missingCursor: string;
}

export interface CursorPageOptions<T> {
  limit: number;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
  range?: CreatedRange | undefined;
  filter?: ((item: T) => boolean) | undefined;
}

export interface OffsetPageOptions<T> {
  limit: number;
  offset: number;
  /** newest first (Clerk's default `-created_at`) or oldest first */
  newestFirst: boolean;
  startingAfter?: string | undefined;
  range?: CreatedRange | undefined;
  filter?: ((item: T) => boolean) | undefined;
}

const compare = (a: { created: number; seq: number }, b: { created: number; seq: number }) =>
  a.created - b.created || a.seq - b.seq;

export class OrderedIndex<T> {
  /** ascending by (created, seq) */
  private entries: Entry<T>[] = [];
  private readonly byId = new Map<string, Entry<T>>();
  private nextSeq = 0;

  constructor(
    private readonly idOf: (item: T) => string,
    private readonly createdOf: (item: T) => number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  get(id: string): T | undefined {
    return this.byId.get(id)?.item;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** every item, oldest first */
  *values(): IterableIterator<T> {
    for (const entry of this.entries) yield entry.item;
  }

  /** Replaces all items with one sort instead of n sorted inserts (100,000 items load in milliseconds). */
  load(items: Iterable<T>): void {
    this.clear();
    for (const item of items) {
      const entry = { item, created: this.createdOf(item), seq: this.nextSeq++ };
      const previous = this.byId.get(this.idOf(item));
      // A repeated id replaces the earlier one, as a later write would.
      if (previous) previous.seq = -1;
      this.byId.set(this.idOf(item), entry);
      this.entries.push(entry);
    }
    this.entries = this.entries.filter((entry) => entry.seq !== -1).sort(compare);
  }

  clear(): void {
    this.entries = [];
    this.byId.clear();
    this.nextSeq = 0;
  }

  /** Inserts, or replaces in place; an item keeps its position unless its creation time changed. */
  put(item: T): void {
    const id = this.idOf(item);
    const created = this.createdOf(item);
    const existing = this.byId.get(id);
    if (existing && existing.created === created) {
      existing.item = item;
      return;
    }
    if (existing) this.entries.splice(this.positionOf(existing), 1);
    this.insert({ item, created, seq: existing?.seq ?? this.nextSeq++ });
  }

  delete(id: string): boolean {
    const existing = this.byId.get(id);
    if (!existing) return false;
    this.entries.splice(this.positionOf(existing), 1);
    this.byId.delete(id);
    return true;
  }

  /** A small index of just these ids, in the same order (e.g. the customers with one email). */
  subset(ids: Iterable<string>): OrderedIndex<T> {
    const subset = new OrderedIndex(this.idOf, this.createdOf);
    for (const id of ids) {
      const entry = this.byId.get(id);
      if (entry) subset.insert({ ...entry });
    }
    return subset;
  }

  /** Stripe-style page: newest first, cursors by id, `hasMore` true only when another item matches. */
  pageNewestFirst(options: CursorPageOptions<T>): Page<T> | MissingCursor {
    const { limit, startingAfter, endingBefore, range, filter } = options;
    const [from, to] = this.bounds(range);
    // Up to `limit` matching items at these positions, in order; `hasMore` when one more matches.
    const take = (positions: Iterable<number>): Page<T> => {
      const data: T[] = [];
      for (const i of positions) {
        const item = (this.entries[i] as Entry<T>).item;
        if (filter && !filter(item)) continue;
        if (data.length === limit) return { data, hasMore: true };
        data.push(item);
      }
      return { data, hasMore: false };
    };

    if (endingBefore !== undefined) {
      // The page just newer than the cursor: walk upwards from it, then present newest first.
      const cursor = this.byId.get(endingBefore);
      if (!cursor) return { missingCursor: endingBefore };
      const page = take(ascending(Math.max(this.positionOf(cursor) + 1, from), to));
      return { data: page.data.reverse(), hasMore: page.hasMore };
    }

    let start = to - 1;
    if (startingAfter !== undefined) {
      const cursor = this.byId.get(startingAfter);
      if (!cursor) return { missingCursor: startingAfter };
      start = Math.min(this.positionOf(cursor) - 1, start);
    }
    return take(descending(start, from));
  }

  /** Clerk-style page: `offset` skips matching items in the chosen direction; an optional id cursor. */
  pageByOffset(options: OffsetPageOptions<T>): T[] | MissingCursor {
    const { limit, offset, newestFirst, startingAfter, range, filter } = options;
    const [from, to] = this.bounds(range);
    let first = newestFirst ? to - 1 : from;
    if (startingAfter !== undefined) {
      const cursor = this.byId.get(startingAfter);
      if (!cursor) return { missingCursor: startingAfter };
      const position = this.positionOf(cursor);
      first = newestFirst ? Math.min(position - 1, first) : Math.max(position + 1, first);
    }
    const step = newestFirst ? -1 : 1;
    if (!filter) {
      // Unfiltered pages are a slice: no scan, whatever the offset.
      const data: T[] = [];
      for (let i = first + step * offset; i >= from && i < to && data.length < limit; i += step) {
        data.push((this.entries[i] as Entry<T>).item);
      }
      return data;
    }
    const data: T[] = [];
    let skipped = 0;
    for (let i = first; i >= from && i < to && data.length < limit; i += step) {
      const item = (this.entries[i] as Entry<T>).item;
      if (!filter(item)) continue;
      if (skipped < offset) skipped++;
      else data.push(item);
    }
    return data;
  }

  count(filter?: (item: T) => boolean, range?: CreatedRange): number {
    const [from, to] = this.bounds(range);
    if (!filter) return to - from;
    let n = 0;
    for (let i = from; i < to; i++) if (filter((this.entries[i] as Entry<T>).item)) n++;
    return n;
  }

  private insert(entry: Entry<T>): void {
    this.entries.splice(this.lowerBound(entry), 0, entry);
    this.byId.set(this.idOf(entry.item), entry);
  }

  private positionOf(entry: Entry<T>): number {
    return this.lowerBound(entry);
  }

  /** first index whose key is >= the given key */
  private lowerBound(key: { created: number; seq: number }): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(this.entries[mid] as Entry<T>, key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** [from, to) positions of the items inside a created range */
  private bounds(range: CreatedRange | undefined): [number, number] {
    if (!range) return [0, this.entries.length];
    let lowest = Number.NEGATIVE_INFINITY;
    let lowestSeq = Number.NEGATIVE_INFINITY;
    if (range.gte !== undefined) lowest = range.gte;
    if (range.gt !== undefined && range.gt >= lowest) {
      lowest = range.gt;
      lowestSeq = Number.POSITIVE_INFINITY;
    }
    let highest = Number.POSITIVE_INFINITY;
    let highestSeq = Number.NEGATIVE_INFINITY;
    if (range.lt !== undefined) highest = range.lt;
    if (range.lte !== undefined && range.lte < highest) {
      highest = range.lte;
      highestSeq = Number.POSITIVE_INFINITY;
    }
    const from = this.lowerBound({ created: lowest, seq: lowestSeq });
    const to = this.lowerBound({ created: highest, seq: highestSeq });
    return [from, Math.max(from, to)];
  }
}

export const isMissingCursor = <T>(page: T | MissingCursor): page is MissingCursor =>
  typeof page === 'object' && page !== null && 'missingCursor' in page;

/** from, from + 1, … up to but not including `to` */
function* ascending(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}

/** start, start - 1, … down to and including `end` */
function* descending(start: number, end: number): Generator<number> {
  for (let i = start; i >= end; i--) yield i;
}
