import { Gauge, Registry } from 'prom-client';
import { type AlertStateName, METRIC_NAMES, type MetricName } from '../domain/alerts';
import type { Services } from '../services/container';
import { MetricsStore } from './store';

/**
 * `GET /metrics` (SPEC §5) through prom-client. The figures are the latest sample in Redis, so
 * every instance serves the same numbers whichever one sampled. A metric with no data has no
 * sample line at all (absent, never 0). Only figures: no user, customer or session ids.
 */

const GAUGE_NAMES: Record<MetricName, { name: string; help: string }> = {
  cacheHitRate: {
    name: 'cache_doctor_cache_hit_ratio',
    help: 'Redis keyspace hits / lookups over the last interval (0-1)',
  },
  syncFailureRate: {
    name: 'cache_doctor_sync_failure_ratio',
    help: 'Out-of-sync users / users checked in the latest sweep (0-1)',
  },
  apiErrorRate: {
    name: 'cache_doctor_api_error_ratio',
    help: 'Failed / all upstream calls over the last interval (0-1)',
  },
  responseTimeP95: {
    name: 'cache_doctor_response_time_p95_ms',
    help: 'p95 of own request and upstream call latencies (ms)',
  },
  webhookSuccessRate: {
    name: 'cache_doctor_webhook_success_ratio',
    help: 'Sessions diagnosed OK / sessions with a prompt, sampled (0-1)',
  },
  redisMemory: { name: 'cache_doctor_redis_memory_ratio', help: 'Redis used_memory / maxmemory (0-1)' },
};

const STATES: AlertStateName[] = ['ok', 'pending', 'firing', 'nodata'];

export class PrometheusExporter {
  private readonly registry = new Registry();
  private readonly gauges: Record<MetricName, Gauge<'metric'>>;
  private readonly alertState: Gauge<'metric' | 'state'>;
  private readonly sampleTime: Gauge<'source'>;
  private readonly store: MetricsStore;

  constructor(services: Pick<Services, 'redis' | 'keys'>) {
    this.store = new MetricsStore(services.redis, services.keys);
    this.gauges = Object.fromEntries(
      METRIC_NAMES.map((metric) => [
        metric,
        // labelled, so that "no data" can be no line at all (an unlabelled gauge always shows 0)
        new Gauge({ ...GAUGE_NAMES[metric], labelNames: ['metric'], registers: [this.registry] }),
      ]),
    ) as Record<MetricName, Gauge<'metric'>>;
    this.alertState = new Gauge({
      name: 'cache_doctor_alert_state',
      help: 'Alert state per metric: 1 for the current state, 0 for the others',
      labelNames: ['metric', 'state'],
      registers: [this.registry],
    });
    this.sampleTime = new Gauge({
      name: 'cache_doctor_metrics_sample_timestamp_seconds',
      help: 'When the latest metrics sample was taken',
      labelNames: ['source'],
      registers: [this.registry],
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    const [latest, alerts] = await Promise.all([this.store.readLatest(), this.store.readAlerts()]);
    for (const metric of METRIC_NAMES) {
      const value = latest?.values[metric] ?? null;
      const gauge = this.gauges[metric];
      gauge.reset();
      if (value !== null) gauge.set({ metric }, value);
      const current = alerts[metric]?.state ?? 'nodata';
      for (const state of STATES) this.alertState.set({ metric, state }, state === current ? 1 : 0);
    }
    this.sampleTime.reset();
    if (latest) this.sampleTime.set({ source: 'collector' }, latest.t / 1000);
    return this.registry.metrics();
  }
}
