import type { MetricsRange } from '../../api/queryKeys';

/** Titles are a contract (SPEC §5 table, §9): e2e scripts find the charts by them. */
export const METRIC_VIEWS = [
  { metric: 'cacheHitRate', title: 'Cache hit rate', unit: 'ratio' },
  { metric: 'syncFailureRate', title: 'Sync failure rate', unit: 'ratio' },
  { metric: 'apiErrorRate', title: 'API error rate', unit: 'ratio' },
  { metric: 'responseTimeP95', title: 'Response time (p95)', unit: 'ms' },
  { metric: 'webhookSuccessRate', title: 'Webhook success rate', unit: 'ratio' },
  { metric: 'redisMemory', title: 'Redis memory', unit: 'ratio' },
] as const;

export type MetricView = (typeof METRIC_VIEWS)[number];
export type Unit = MetricView['unit'];

export const RANGES: { value: MetricsRange; label: string; ms: number }[] = [
  { value: '1h', label: '1h', ms: 3_600_000 },
  { value: '24h', label: '24h', ms: 86_400_000 },
  { value: '7d', label: '7d', ms: 7 * 86_400_000 },
];

export function parseRange(value: string | null): MetricsRange {
  return RANGES.some((range) => range.value === value) ? (value as MetricsRange) : '1h';
}

export function titleOf(metric: string): string {
  return METRIC_VIEWS.find((view) => view.metric === metric)?.title ?? metric;
}

export function unitOf(metric: string): Unit {
  return METRIC_VIEWS.find((view) => view.metric === metric)?.unit ?? 'ratio';
}

export function formatValue(unit: Unit, value: number | null): string {
  if (value === null) return 'no data';
  if (unit === 'ms') return `${Math.round(value)} ms`;
  const percent = value * 100;
  const digits = percent !== 0 && Math.abs(percent) < 10 ? 2 : 1;
  return `${Number(percent.toFixed(digits))} %`;
}

export interface Threshold {
  op: '<' | '>';
  value: number;
}

export const breaches = (threshold: Threshold, value: number) =>
  threshold.op === '<' ? value < threshold.value : value > threshold.value;

export interface Point {
  t: number;
  v: number;
}

/**
 * Stretches of consecutive breaching points, as [start, end] times to shade. A run that is one
 * point long still gets a visible band: it extends to the next point (or half a gap back).
 */
export function breachRuns(points: Point[], threshold: Threshold): [number, number][] {
  const runs: [number, number][] = [];
  let start: number | null = null;
  points.forEach((point, index) => {
    const bad = breaches(threshold, point.v);
    if (bad && start === null) start = point.t;
    if (start !== null && (!bad || index === points.length - 1)) {
      // ends at the recovering point (or the last breaching one)
      runs.push([start, point.t === start ? start + 1 : point.t]);
      start = null;
    }
  });
  return runs;
}

const NICE_RATIO_TOPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1];

/** A y-axis range that always holds the data and the threshold line, with headroom, on a round top. */
export function yDomain(unit: Unit, points: Point[], threshold: Threshold): [number, number] {
  const max = Math.max(threshold.value, ...points.map((p) => p.v)) * 1.25;
  if (unit === 'ratio') return [0, NICE_RATIO_TOPS.find((top) => top >= max) ?? 1];
  return [0, Math.max(100, Math.ceil(max / 100) * 100)];
}

const STATE_WORDS = { ok: 'OK', pending: 'Pending', firing: 'Firing', nodata: 'No data' } as const;
export const stateWord = (state: keyof typeof STATE_WORDS) => STATE_WORDS[state];
export const stateTone = (state: keyof typeof STATE_WORDS) =>
  state === 'firing' ? 'danger' : state === 'pending' ? 'warning' : state === 'ok' ? 'ok' : 'neutral';
