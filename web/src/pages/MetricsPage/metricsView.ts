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
  TREND_RANGES,
  type TrendRange,
} from '@cache-doctor/shared';
import { formatDateTime } from '../../format';

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

/**
 * Each range named in words on its button ("Last 7 days"), as the reader would say it: the metrics'
 * ranges and the problems trend's.
 */
const RANGE_LABELS: Record<MetricsRange | TrendRange, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};

export const RANGES = METRICS_RANGES.map((value) => ({
  value,
  label: RANGE_LABELS[value],
  ms: RANGE_MS[value],
}));

/** The problems trend's range buttons. */
export const TREND_RANGE_OPTIONS = TREND_RANGES.map((value) => ({ value, label: RANGE_LABELS[value] }));

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

/** An axis label short enough for the axis: "12.5 s" rather than a clipped "12500 ms". */
export function formatAxisValue(unit: Unit, value: number): string {
  if (unit === 'ms' && value >= 1000) return `${Number((value / 1000).toFixed(1))} s`;
  return formatValue(unit, value);
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Time ticks suited to the range, on round local times: every 10 minutes over an hour, every
 * 3 hours over a day, every midnight over longer. Only times inside [from, to].
 */
export function timeTicks(from: number, to: number): number[] {
  const span = to - from;
  const tick = new Date(from);
  tick.setSeconds(0, 0);
  let advance: (date: Date) => void;
  if (span <= HOUR) {
    tick.setMinutes(Math.ceil(tick.getMinutes() / 10) * 10);
    advance = (date) => date.setMinutes(date.getMinutes() + 10);
  } else if (span <= DAY) {
    tick.setMinutes(0);
    if (tick.getTime() < from) tick.setHours(tick.getHours() + 1);
    tick.setHours(Math.ceil(tick.getHours() / 3) * 3);
    advance = (date) => date.setHours(date.getHours() + 3);
  } else {
    tick.setHours(0, 0);
    if (tick.getTime() < from) tick.setDate(tick.getDate() + 1);
    advance = (date) => date.setDate(date.getDate() + 1);
  }
  const ticks: number[] = [];
  for (; tick.getTime() <= to; advance(tick)) if (tick.getTime() >= from) ticks.push(tick.getTime());
  return ticks;
}

const TICK_TIME = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const TICK_DAY = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** A day's tick: "Dec 2". */
export const dayTickLabel = (t: number) => TICK_DAY.format(new Date(t));

/** A tick's label: the time of day within a day's range, the date ("Dec 2") beyond. */
export const timeTickLabel = (rangeMs: number) => (t: number) =>
  rangeMs > DAY ? dayTickLabel(t) : TICK_TIME.format(new Date(t));

/**
 * Of times in order (one bar each), the first of each local day: a chart of many bars a day gets
 * one tick per day ("Dec 2"), not the same date under every few bars.
 */
export function firstOfEachDay(times: readonly number[]): number[] {
  const dayOf = (t: number) => new Date(t).toDateString();
  return times.filter((t, index) => index === 0 || dayOf(t) !== dayOf(times[index - 1] as number));
}

const samples = (n: number) => (n === 1 ? '1 sample' : `${n} samples`);

/**
 * Said instead of drawing a line from fewer than two samples (one would be a lone dot):
 * "Not enough data yet (1 sample since Dec 2, 2026, 1:40 PM)". Null once there is a line to draw.
 */
export function notEnoughData(points: readonly Point[]): string | null {
  if (points.length >= 2) return null;
  const first = points[0];
  return first
    ? `Not enough data yet (${samples(1)} since ${formatDateTime(first.t)})`
    : 'Not enough data yet (no samples in this range)';
}

export const samplesInRange = (points: readonly Point[]) => `${samples(points.length)} in range`;

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
