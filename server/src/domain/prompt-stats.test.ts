import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  compareNewestFirst,
  createPromptStats,
  mergeRecentPrompts,
  type PromptEntry,
  previewOf,
  type RecentPrompt,
  utcDayOf,
} from './prompt-stats';

const entry = (sessionId: string, length: number, fields: Partial<PromptEntry> = {}): PromptEntry => ({
  sessionId,
  prompt: 'x'.repeat(length),
  timestamp: '2025-06-01T10:00:00.000Z',
  ...fields,
});

function statsOf(entries: PromptEntry[]) {
  const stats = createPromptStats();
  for (const item of entries) stats.add(item);
  return stats.result();
}

describe('bucketOf', () => {
  it.each([
    [0, '0-100'],
    [100, '0-100'],
    [101, '101-500'],
    [500, '101-500'],
    [501, '501-1000'],
    [1000, '501-1000'],
    [1001, '1001-2000'],
    [2000, '1001-2000'],
    [2001, '2000+'],
    [50_000, '2000+'],
  ])('%i characters → %s', (length, bucket) => {
    expect(bucketOf(length)).toBe(bucket);
  });
});

describe('previewOf', () => {
  it('keeps the first 100 characters', () => {
    expect(previewOf('a'.repeat(250))).toBe('a'.repeat(100));
    expect(previewOf('short')).toBe('short');
  });

  it('does not cut an emoji in half', () => {
    const preview = previewOf(`${'a'.repeat(99)}🎬 and more`);
    expect(preview).toBe('a'.repeat(99));
  });
});

describe('utcDayOf', () => {
  it('gives the UTC calendar day', () => {
    expect(utcDayOf('2025-06-01T23:30:00-02:00')).toBe('2025-06-02');
    expect(utcDayOf('2025-06-01T00:00:00.000Z')).toBe('2025-06-01');
  });

  it('null for no or unreadable time', () => {
    expect(utcDayOf(null)).toBeNull();
    expect(utcDayOf('last tuesday')).toBeNull();
  });

  it('names every day as toISOString does, before 1970 and after 9999 too (days are remembered)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (time) => {
        const iso = new Date(time).toISOString();
        expect(utcDayOf(iso)).toBe(iso.slice(0, 10));
        expect(utcDayOf(iso)).toBe(iso.slice(0, 10));
      }),
    );
  });
});

describe('createPromptStats', () => {
  it('gives zeros, not NaN, with no prompts', () => {
    const result = statsOf([]);
    expect(result).toEqual({
      totalPrompts: 0,
      totalLength: 0,
      averageLength: 0,
      longest: null,
      shortest: null,
      histogram: [
        { bucket: '0-100', count: 0, percentage: 0 },
        { bucket: '101-500', count: 0, percentage: 0 },
        { bucket: '501-1000', count: 0, percentage: 0 },
        { bucket: '1001-2000', count: 0, percentage: 0 },
        { bucket: '2000+', count: 0, percentage: 0 },
      ],
      byDiagnosis: {},
      byWebhookStatus: {},
      perDay: [],
      undated: 0,
    });
  });

  it('totals, average, longest and shortest', () => {
    const result = statsOf([
      entry('cs_test_a', 10),
      entry('cs_test_b', 300, { timestamp: '2025-05-30T08:00:00.000Z' }),
      entry('cs_test_c', 50),
    ]);
    expect(result).toMatchObject({ totalPrompts: 3, totalLength: 360, averageLength: 120 });
    expect(result.longest).toEqual({
      sessionId: 'cs_test_b',
      length: 300,
      preview: 'x'.repeat(100),
      date: '2025-05-30T08:00:00.000Z',
    });
    expect(result.shortest).toMatchObject({ sessionId: 'cs_test_a', length: 10, preview: 'x'.repeat(10) });
  });

  it('keeps the first seen on ties, so the answer does not depend on luck', () => {
    const result = statsOf([entry('cs_test_a', 5), entry('cs_test_b', 5)]);
    expect(result.longest?.sessionId).toBe('cs_test_a');
    expect(result.shortest?.sessionId).toBe('cs_test_a');
  });

  it('puts each boundary length in its bucket', () => {
    const lengths = [100, 101, 500, 501, 1000, 1001, 2000, 2001];
    const result = statsOf(lengths.map((length, index) => entry(`cs_test_${index}`, length)));
    expect(result.histogram.map(({ bucket, count, percentage }) => [bucket, count, percentage])).toEqual([
      ['0-100', 1, 12.5],
      ['101-500', 2, 25],
      ['501-1000', 2, 25],
      ['1001-2000', 2, 25],
      ['2000+', 1, 12.5],
    ]);
  });

  it('counts by diagnosis and by webhook status, "none" for sessions without one', () => {
    const result = statsOf([
      entry('a', 1, { diagnosisCode: 'OK', webhookStatus: 'completed' }),
      entry('b', 1, { diagnosisCode: 'WEBHOOK_MISSING', webhookStatus: null }),
      entry('c', 1, { diagnosisCode: 'OK', webhookStatus: 'processing' }),
      entry('d', 1),
    ]);
    expect(result.byDiagnosis).toEqual({ OK: 2, WEBHOOK_MISSING: 1 });
    expect(result.byWebhookStatus).toEqual({ completed: 1, processing: 1, none: 1 });
  });

  it('counts prompts per UTC day, oldest first, and the undated apart', () => {
    const result = statsOf([
      entry('a', 1, { timestamp: '2025-06-02T01:00:00.000Z' }),
      entry('b', 1, { timestamp: '2025-05-31T23:59:59.999Z' }),
      entry('c', 1, { timestamp: '2025-06-02T22:00:00.000Z' }),
      entry('d', 1, { timestamp: null }),
      entry('e', 1, { timestamp: 'garbage' }),
    ]);
    expect(result.perDay).toEqual([
      { date: '2025-05-31', count: 1 },
      { date: '2025-06-02', count: 2 },
    ]);
    expect(result.undated).toBe(2);
  });

  it('fed in batches gives the same result as fed at once', () => {
    const entries = Array.from({ length: 25 }, (_, index) => entry(`cs_test_${index}`, index * 97));
    const batched = createPromptStats();
    for (let start = 0; start < entries.length; start += 7) {
      for (const item of entries.slice(start, start + 7)) batched.add(item);
    }
    expect(batched.result()).toEqual(statsOf(entries));
  });

  it('property: percentages sum to 100 within rounding and counts sum to the total', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 3000 }), { minLength: 1, maxLength: 200 }), (lengths) => {
        const result = statsOf(lengths.map((length, index) => entry(`s${index}`, length)));
        const percentages = result.histogram.reduce((sum, bucket) => sum + bucket.percentage, 0);
        expect(Math.abs(percentages - 100)).toBeLessThanOrEqual(0.25);
        expect(result.histogram.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(lengths.length);
        expect(result.averageLength).toBeCloseTo(lengths.reduce((a, b) => a + b, 0) / lengths.length);
      }),
    );
  });
});

describe('mergeRecentPrompts', () => {
  const record = (sessionId: string, timestamp: string | null): RecentPrompt => ({
    sessionId,
    prompt: `prompt of ${sessionId}`,
    timestamp,
  });
  const ids = (records: RecentPrompt[]) => records.map((item) => item.sessionId);

  it('keeps the newest `limit` records across pages, newest first', () => {
    let kept: RecentPrompt[] = [];
    kept = mergeRecentPrompts(
      kept,
      [record('a', '2025-06-01T01:00:00Z'), record('b', '2025-06-03T01:00:00Z')],
      {
        limit: 2,
      },
    );
    kept = mergeRecentPrompts(
      kept,
      [record('c', '2025-06-02T01:00:00Z'), record('d', '2025-05-01T01:00:00Z')],
      {
        limit: 2,
      },
    );
    expect(ids(kept)).toEqual(['b', 'c']);
  });

  it('puts records without a time last and orders equal times by session id', () => {
    const page = [
      record('z', null),
      record('b', '2025-06-01T00:00:00Z'),
      record('a', '2025-06-01T00:00:00Z'),
    ];
    expect(ids(mergeRecentPrompts([], page, { limit: 10 }))).toEqual(['a', 'b', 'z']);
  });

  it('keeps a record SCAN returned twice once', () => {
    const twice = record('a', '2025-06-01T00:00:00Z');
    expect(mergeRecentPrompts([twice], [twice], { limit: 10 })).toHaveLength(1);
  });

  it('continues after a cursor without overlap or gaps', () => {
    const all = ['2025-06-05', '2025-06-04', '2025-06-04', '2025-06-03', '2025-06-02'].map((day, index) =>
      record(`s${index}`, `${day}T00:00:00Z`),
    );
    const first = mergeRecentPrompts([], all, { limit: 2 });
    const last = first.at(-1);
    if (!last) throw new Error('empty page');
    const second = mergeRecentPrompts([], all, { limit: 2, after: last });
    const third = mergeRecentPrompts([], all, { limit: 2, after: second.at(-1) });
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(['s0', 's1', 's2', 's3', 's4']);
  });

  it('a limit of zero keeps nothing', () => {
    expect(mergeRecentPrompts([], [record('a', null)], { limit: 0 })).toEqual([]);
  });

  it('gives what merging everything and sorting gives, page after page (also with repeats and cursors)', () => {
    const naive = (
      kept: readonly RecentPrompt[],
      page: readonly RecentPrompt[],
      options: { limit: number; after?: RecentPrompt },
    ) => {
      const { after } = options;
      const bySession = new Map(kept.map((item) => [item.sessionId, item]));
      for (const item of page) {
        if (!after || compareNewestFirst(after, item) < 0) bySession.set(item.sessionId, item);
      }
      return [...bySession.values()].sort(compareNewestFirst).slice(0, Math.max(0, options.limit));
    };
    const item = fc
      .record({
        sessionId: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
        day: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
        prompt: fc.constantFrom('x', 'y'),
      })
      .map(({ sessionId, day, prompt }) => ({
        sessionId,
        prompt,
        timestamp: day === null ? null : `2025-06-0${day}T00:00:00Z`,
      }));
    fc.assert(
      fc.property(
        fc.array(fc.array(item, { maxLength: 6 }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 5 }),
        fc.option(item, { nil: undefined }),
        (pages, limit, after) => {
          let kept: RecentPrompt[] = [];
          let expected: RecentPrompt[] = [];
          for (const page of pages) {
            kept = mergeRecentPrompts(kept, page, { limit, ...(after && { after }) });
            expected = naive(expected, page, { limit, ...(after && { after }) });
            expect(kept).toEqual(expected);
          }
        },
      ),
    );
  });
});
