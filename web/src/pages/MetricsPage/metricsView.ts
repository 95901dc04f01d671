import {
  METRIC_NAMES,
  METRIC_TITLES,
  METRIC_UNITS,
  METRICS_RANGES,
  type MetricName,
  type MetricsRange,
  type MetricUnit,
  metricsRangeSchema,
  RANGE_MS,
  type Threshold,
} from '@cache-doctor/shared';

export type { Threshold };
export type Unit = MetricUnit;

export interface MetricView {
  metric: MetricName;
  /** a contract (SPEC §5 table, §9): e2e scripts find the charts by it */
  title: string;
  unit: Unit;
}

/** One chart per metric, in the SPEC §5 order. */
export const METRIC_VIEWS: readonly MetricView[] = METRIC_NAMES.map((metric) => ({
  metric,
  title: METRIC_TITLES[metric],
  unit: METRIC_UNITS[metric],
}));

export const RANGES = METRICS_RANGES.map((value) => ({ value, label: value, ms: RANGE_MS[value] }));

export function parseRange(value: string | null): MetricsRange {
  return metricsRangeSchema.safeParse(value).data ?? '1h';
}

export const titleOf = (metric: MetricName): string => METRIC_TITLES[metric];
export const unitOf = (metric: MetricName): Unit => METRIC_UNITS[metric];

export function formatValue(unit: Unit, value: number | null): string {
  if (value === null) return 'no data';
  if (unit === 'ms') return `${Math.round(value)} ms`;
  const percent = value * 100;
  const digits = percent !== 0 && Math.abs(percent) < 10 ? 2 : 1;
  return `${Number(percent.toFixed(digits))} %`;
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
