import type { MetricSource, MetricsRange, SourceDetail, Threshold } from '@cache-doctor/shared';
import {
  type AlertNotification,
  type AlertStateName,
  METRIC_NAMES,
  METRIC_OPS,
  type MetricName,
} from '../domain/alerts';
import type { Services } from '../services/container';
import type { Point } from './downsample';
import { MetricsStore } from './store';

export interface MetricsReport {
  series: Record<MetricName, Point[]>;
  /** each figure's current source (SPEC §6.4) */
  sources: Record<MetricName, MetricSource>;
  /** the same, with what the words on the chart need: how many users the probe read, when a sweep ran */
  sourceDetails: Record<MetricName, SourceDetail>;
  thresholds: Record<MetricName, Threshold>;
  alerts: {
    metric: MetricName;
    state: AlertStateName;
    value: number | null;
    threshold: number;
    /** ms */
    since: number;
  }[];
  /** firing/resolved edges, newest first (the page's "recent alerts") */
  history: AlertNotification[];
}

export function thresholdsOf(config: Services['config']): MetricsReport['thresholds'] {
  return Object.fromEntries(
    METRIC_NAMES.map((metric) => [metric, { op: METRIC_OPS[metric], value: config.alerts[metric] }]),
  ) as MetricsReport['thresholds'];
}

/** Before the first sample: the source a figure has when the app reports nothing (SPEC §5). */
const FIRST_SOURCE: Record<MetricName, MetricSource> = {
  cacheHitRate: 'probe',
  syncFailureRate: 'sweep',
  apiErrorRate: 'doctor',
  responseTimeP95: 'probe',
  webhookSuccessRate: 'stripe',
  generationSuccessRate: 'generation',
  sessionLookupSuccessRate: 'stripe',
  redisMemory: 'redis',
};

/**
 * `GET /api/metrics?range=` (SPEC §6.4). A metric never sampled yet is reported `nodata` (a fresh
 * install has no history, which is not the same as 0 %).
 */
export async function readMetrics(
  services: Services,
  range: MetricsRange,
  now: number,
): Promise<MetricsReport> {
  const store = new MetricsStore(services.ownRedis, services.keys);
  const [series, states, history, latest] = await Promise.all([
    store.readSeries(range, now),
    store.readAlerts(),
    store.readHistory(),
    store.readLatest(),
  ]);
  const thresholds = thresholdsOf(services.config);
  const sourceDetails = Object.fromEntries(
    METRIC_NAMES.map((metric) => [metric, latest?.sources?.[metric] ?? { source: FIRST_SOURCE[metric] }]),
  ) as Record<MetricName, SourceDetail>;
  return {
    series,
    sources: Object.fromEntries(
      METRIC_NAMES.map((metric) => [metric, sourceDetails[metric].source]),
    ) as Record<MetricName, MetricSource>,
    sourceDetails,
    thresholds,
    alerts: METRIC_NAMES.map((metric) => {
      const state = states[metric];
      return {
        metric,
        state: state?.state ?? 'nodata',
        value: state?.value ?? null,
        threshold: thresholds[metric].value,
        since: state?.since ?? now,
      };
    }),
    history,
  };
}
