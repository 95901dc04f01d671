/**
 * Small helpers shared by the bench sections: timing, percentiles, load at a fixed concurrency,
 * and the labelled tables every section prints. Figures are printed, never asserted: a missed goal
 * is marked, and the bench still exits 0.
 */

/** One printed figure. `ok`: true = goal met, false = missed, undefined = no goal (context only). */
export interface Figure {
  figure: string;
  value: string;
  goal?: string;
  ok?: boolean;
}

/** What a section hands back for the final summary. */
export interface SectionResult {
  /** one line, e.g. "health p95 1.2 ms (goal < 10 ms)" */
  summary: string;
  /** figures that missed their goal (0 = all met) */
  missed: number;
  /** the section measured nothing (e.g. not built yet) */
  skipped?: boolean;
}

export const MISS = 'MISSED';

/** Prints a section's figures as an aligned table: figure, value, goal, ok?. */
export function printTable(title: string, rows: readonly Figure[]): void {
  const cells = rows.map((row) => [
    row.figure,
    row.value,
    row.goal ?? '',
    row.ok === undefined ? '' : row.ok ? 'ok' : MISS,
  ]);
  const header = ['figure', 'value', 'goal', 'ok?'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) =>
    `  ${c.map((cell, i) => (i === 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
}

/** Counts the figures of a table that missed their goal. */
export const missedIn = (rows: readonly Figure[]) => rows.filter((row) => row.ok === false).length;

/** A progress or context line, indented like the tables. */
export const note = (text: string) => console.log(`  · ${text}`);

/** Nearest-rank percentile of samples sorted ascending; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, x) => sum + x, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
  };
}

/** Runs `fn` once and returns its result with the wall time in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

export interface LoadResult {
  /** per-call latency in ms, in completion order */
  latencies: number[];
  wallMs: number;
  /** calls per second over the whole run */
  perSecond: number;
}

/**
 * Calls `fn(0)` … `fn(total - 1)` with exactly `concurrency` calls in flight (each worker starts
 * the next call as soon as its previous one answers) and times every call.
 */
export async function runLoad(
  total: number,
  concurrency: number,
  fn: (index: number) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const started = performance.now();
      await fn(index);
      latencies.push(performance.now() - started);
    }
  };
  const { ms } = await timed(() => Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker)));
  return { latencies, wallMs: ms, perSecond: (total / ms) * 1000 };
}

export const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
export const seconds = (valueMs: number) => `${(valueMs / 1000).toFixed(2)} s`;
export const micros = (value: number) => `${Math.round(value).toLocaleString('en-US')} µs`;
export const count = (value: number) => Math.round(value).toLocaleString('en-US');
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const ratio = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(0)}×`;

/** Throws unless the response is 2xx, with its body in the message (a bench must not time errors). */
export async function expectOk(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return response;
}
