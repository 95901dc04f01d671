import type { SessionCode, WebhookStatus } from '@cache-doctor/shared';

/**
 * Prompt analytics for `GET /api/stats` and `GET /api/prompts` (SPEC §6.3), the old analytics
 * script's figures. Fed page by page from SCAN, so memory is one page plus a few counters (and one
 * counter per calendar day, of which the 30-day TTL leaves about 30).
 * SCAN may return a key twice while Redis resizes its table; the stats do not remember every id
 * to catch that (it would make memory grow with the data set), so such a key counts twice.
 */

export interface PromptEntry {
  sessionId: string;
  prompt: string;
  /** ISO time the prompt was saved; null or unparseable when the record has none */
  timestamp: string | null;
  diagnosisCode?: SessionCode;
  /** null: the session has no status (undefined: not looked at) */
  webhookStatus?: WebhookStatus | null;
}

export interface PromptExtreme {
  sessionId: string;
  length: number;
  preview: string;
  /** the prompt's timestamp as stored, null when it had none */
  date: string | null;
}

export const PROMPT_LENGTH_BUCKETS = ['0-100', '101-500', '501-1000', '1001-2000', '2000+'] as const;
export type PromptLengthBucket = (typeof PROMPT_LENGTH_BUCKETS)[number];

/** Upper bound of each bucket, inclusive; the last has none. */
const BUCKET_UPPER_BOUNDS = [100, 500, 1000, 2000] as const;

export interface PromptStats {
  totalPrompts: number;
  totalLength: number;
  /** 0 when there are no prompts */
  averageLength: number;
  longest: PromptExtreme | null;
  shortest: PromptExtreme | null;
  /** every bucket, in order, with its share of all prompts in percent (one decimal) */
  histogram: { bucket: PromptLengthBucket; count: number; percentage: number }[];
  byDiagnosis: Partial<Record<SessionCode, number>>;
  /** 'none': sessions with no status */
  byWebhookStatus: Partial<Record<WebhookStatus | 'none', number>>;
  /** oldest day first, YYYY-MM-DD in UTC */
  perDay: { date: string; count: number }[];
  /** prompts with no readable timestamp, which no day can hold */
  undated: number;
}

export interface PromptStatsAccumulator {
  add(entry: PromptEntry): void;
  result(): PromptStats;
}

export const PREVIEW_LENGTH = 100;

/** The first 100 characters, without cutting a character made of two UTF-16 units in half. */
export function previewOf(prompt: string): string {
  const preview = prompt.slice(0, PREVIEW_LENGTH);
  const last = preview.charCodeAt(preview.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? preview.slice(0, -1) : preview;
}

/** Length as the old script measured it (`prompt.length`), so the figures stay comparable. */
export function bucketOf(length: number): PromptLengthBucket {
  const index = BUCKET_UPPER_BOUNDS.findIndex((upper) => length <= upper);
  return PROMPT_LENGTH_BUCKETS[index === -1 ? BUCKET_UPPER_BOUNDS.length : index] as PromptLengthBucket;
}

/** UTC day of an ISO time, or null when it is not a time. */
const DAY_MS = 86_400_000;
const MAX_DAY_NAMES = 4_096;
/** UTC day number → YYYY-MM-DD, as `toISOString` writes it. */
const DAY_NAMES = new Map<number, string>();

export function utcDayOf(timestamp: string | null): string | null {
  if (timestamp === null) return null;
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return null;
  // Formatting a date costs more than parsing one; the same few days recur over and over.
  const dayNumber = Math.floor(time / DAY_MS);
  let day = DAY_NAMES.get(dayNumber);
  if (day === undefined) {
    day = new Date(time).toISOString().slice(0, 10);
    if (DAY_NAMES.size >= MAX_DAY_NAMES) DAY_NAMES.clear();
    DAY_NAMES.set(dayNumber, day);
  }
  return day;
}

const percentOf = (count: number, total: number) =>
  total === 0 ? 0 : Math.round((count / total) * 1000) / 10;

const extremeOf = (entry: PromptEntry): PromptExtreme => ({
  sessionId: entry.sessionId,
  length: entry.prompt.length,
  preview: previewOf(entry.prompt),
  date: entry.timestamp,
});

function increment<K extends string>(counts: Partial<Record<K, number>>, key: K): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export function createPromptStats(): PromptStatsAccumulator {
  let totalPrompts = 0;
  let totalLength = 0;
  // Ties keep the first seen, so the same data always gives the same answer.
  let longest: PromptExtreme | null = null;
  let shortest: PromptExtreme | null = null;
  let undated = 0;
  const bucketCounts = new Map<PromptLengthBucket, number>();
  const byDiagnosis: Partial<Record<SessionCode, number>> = {};
  const byWebhookStatus: Partial<Record<WebhookStatus | 'none', number>> = {};
  const perDay = new Map<string, number>();

  return {
    add(entry) {
      const length = entry.prompt.length;
      totalPrompts += 1;
      totalLength += length;
      if (longest === null || length > longest.length) longest = extremeOf(entry);
      if (shortest === null || length < shortest.length) shortest = extremeOf(entry);
      const bucket = bucketOf(length);
      bucketCounts.set(bucket, (bucketCounts.get(bucket) ?? 0) + 1);
      if (entry.diagnosisCode !== undefined) increment(byDiagnosis, entry.diagnosisCode);
      if (entry.webhookStatus !== undefined) increment(byWebhookStatus, entry.webhookStatus ?? 'none');
      const day = utcDayOf(entry.timestamp);
      if (day === null) undated += 1;
      else perDay.set(day, (perDay.get(day) ?? 0) + 1);
    },

    result() {
      return {
        totalPrompts,
        totalLength,
        averageLength: totalPrompts === 0 ? 0 : totalLength / totalPrompts,
        longest,
        shortest,
        histogram: PROMPT_LENGTH_BUCKETS.map((bucket) => {
          const count = bucketCounts.get(bucket) ?? 0;
          return { bucket, count, percentage: percentOf(count, totalPrompts) };
        }),
        byDiagnosis: { ...byDiagnosis },
        byWebhookStatus: { ...byWebhookStatus },
        perDay: [...perDay].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, count]) => ({ date, count })),
        undated,
      };
    },
  };
}

/** One prompt record for the "recent prompts" list. */
export interface RecentPrompt {
  sessionId: string;
  prompt: string;
  timestamp: string | null;
}

/** Position in the newest-first order: the last item a client saw, to continue after it. */
export interface RecentPromptCursor {
  timestamp: string | null;
  sessionId: string;
}

/** Records without a readable time sort after all others. */
const timeOf = (timestamp: string | null) => {
  const time = timestamp === null ? Number.NaN : Date.parse(timestamp);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
};

/** Newest first; equal times by session id, so pages never overlap or skip. */
export function compareNewestFirst(a: RecentPromptCursor, b: RecentPromptCursor): number {
  return compareByTime(a, timeOf(a.timestamp), b, timeOf(b.timestamp));
}

/** `compareNewestFirst` with both times already parsed (`timeOf`). */
function compareByTime(a: RecentPromptCursor, aTime: number, b: RecentPromptCursor, bTime: number): number {
  const byTime = bTime - aTime;
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0;
}

/**
 * Merges one SCAN page into the `limit` most recent records seen so far (newest first), so a full
 * scan holds at most `limit` + one page. A key SCAN returns twice is kept once. With `after`, only
 * records that come after that cursor count, which gives `GET /api/prompts` its next page.
 */
export function mergeRecentPrompts(
  kept: readonly RecentPrompt[],
  page: readonly RecentPrompt[],
  options: { limit: number; after?: RecentPromptCursor },
): RecentPrompt[] {
  const { after, limit } = options;
  const incoming = new Map<string, RecentPrompt>();
  for (const record of page) {
    if (!after || compareNewestFirst(after, record) < 0) incoming.set(record.sessionId, record);
  }
  const bySession = new Map(kept.map((record) => [record.sessionId, record]));
  let candidates = [...incoming.values()];
  // Once `limit` records are kept, a record sorting after the last of them cannot get in — unless
  // it replaces one of them (the same session read again), which only the full merge below handles.
  const first = bySession.values().next().value;
  if (first && bySession.size >= limit && !candidates.some((record) => bySession.has(record.sessionId))) {
    let last = first;
    let lastTime = timeOf(last.timestamp);
    for (const record of bySession.values()) {
      const time = timeOf(record.timestamp);
      if (compareByTime(record, time, last, lastTime) > 0) [last, lastTime] = [record, time];
    }
    candidates = candidates.filter(
      (record) => compareByTime(record, timeOf(record.timestamp), last, lastTime) < 0,
    );
  }
  for (const record of candidates) bySession.set(record.sessionId, record);
  // Each time parsed once, not once per comparison.
  return [...bySession.values()]
    .map((record) => ({ record, time: timeOf(record.timestamp) }))
    .sort((a, b) => compareByTime(a.record, a.time, b.record, b.time))
    .slice(0, Math.max(0, limit))
    .map(({ record }) => record);
}
