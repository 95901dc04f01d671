import { z } from 'zod';

/**
 * SPEC §5 — the metrics, their API names, titles, units and alert directions, and the ranges the
 * Metrics page offers. The server samples, stores and alerts on these; the web charts them by the
 * same names, so a metric is added here once.
 */
export const METRIC_NAMES = [
  'cacheHitRate',
  'syncFailureRate',
  'apiErrorRate',
  'responseTimeP95',
  'webhookSuccessRate',
  'generationSuccessRate',
  'sessionLookupSuccessRate',
  'redisMemory',
] as const;
export const metricNameSchema = z.enum(METRIC_NAMES);
export type MetricName = z.infer<typeof metricNameSchema>;

/** Titles exactly as the SPEC §5 table; they are accessible names (SPEC §9): e2e finds charts by them. */
export const METRIC_TITLES: Record<MetricName, string> = {
  cacheHitRate: 'Cache hit rate',
  syncFailureRate: 'Sync failure rate',
  apiErrorRate: 'API error rate',
  responseTimeP95: 'Response time (p95)',
  webhookSuccessRate: 'Webhook success rate',
  generationSuccessRate: 'Generation success rate',
  sessionLookupSuccessRate: 'Session lookup success rate',
  redisMemory: 'Redis memory',
};

/** Ratios (0–1) are shown as percentages; the response time is in milliseconds. */
export type MetricUnit = 'ratio' | 'ms';
export const METRIC_UNITS: Record<MetricName, MetricUnit> = {
  cacheHitRate: 'ratio',
  syncFailureRate: 'ratio',
  apiErrorRate: 'ratio',
  responseTimeP95: 'ms',
  webhookSuccessRate: 'ratio',
  generationSuccessRate: 'ratio',
  sessionLookupSuccessRate: 'ratio',
  redisMemory: 'ratio',
};

export const ALERT_OPS = ['<', '>'] as const;
export type AlertOp = (typeof ALERT_OPS)[number];

/** The direction of each default alert (SPEC §5): hit and success rates alert when low. */
export const METRIC_OPS: Record<MetricName, AlertOp> = {
  cacheHitRate: '<',
  syncFailureRate: '>',
  apiErrorRate: '>',
  responseTimeP95: '>',
  webhookSuccessRate: '<',
  generationSuccessRate: '<',
  sessionLookupSuccessRate: '<',
  redisMemory: '>',
};

/** One metric's alert threshold as `GET /api/metrics` gives it. */
export const thresholdSchema = z.object({ op: z.enum(ALERT_OPS), value: z.number() });
export type Threshold = z.infer<typeof thresholdSchema>;

/** `GET /api/metrics?range=` (SPEC §6.4), with each range's length. */
export const METRICS_RANGES = ['1h', '24h', '7d'] as const;
export const metricsRangeSchema = z.enum(METRICS_RANGES);
export type MetricsRange = z.infer<typeof metricsRangeSchema>;
export const RANGE_MS: Record<MetricsRange, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};
