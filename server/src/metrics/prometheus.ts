import { Counter, Gauge, Registry } from 'prom-client';
import { type AlertStateName, METRIC_NAMES, type MetricName } from '../domain/alerts';
import { POLICY_KEYS } from '../keys';
import { LATENCY_BUCKETS_MS } from '../lib/upstream-meter';
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
    help: "The app's cache hits / lookups (reported by the app, else the probe's sampled users) (0-1)",
  },
  syncFailureRate: {
    name: 'cache_doctor_sync_failure_ratio',
    help: 'Out-of-sync users / users checked in the latest scheduled sweep (0-1)',
  },
  apiErrorRate: {
    name: 'cache_doctor_api_error_ratio',
    help: "The app's failed / all upstream calls (else Cache Doctor's own) over the last interval (0-1)",
  },
  responseTimeP95: {
    name: 'cache_doctor_response_time_p95_ms',
    help: "p95 of the app's lookup latency buckets (else the probe's two-step read) (ms)",
  },
  webhookSuccessRate: {
    name: 'cache_doctor_webhook_success_ratio',
    help: 'Sessions diagnosed OK / paid sessions with prompt data (0-1)',
  },
  generationSuccessRate: {
    name: 'cache_doctor_generation_success_ratio',
    help: 'Generations of the last 24 h completed / completed, failed or stuck, per the generation API (0-1)',
  },
  sessionLookupSuccessRate: {
    name: 'cache_doctor_session_lookup_success_ratio',
    help: 'Paid sessions of the last 24 h whose Redis records resolve to their prompt data (0-1)',
  },
  redisMemory: {
    name: 'cache_doctor_redis_memory_ratio',
    help: 'Redis used_memory / maxmemory, or / total_system_memory when maxmemory is 0 (0-1)',
  },
};

const STATES: AlertStateName[] = ['ok', 'pending', 'firing', 'nodata'];

export class PrometheusExporter {
  private readonly registry = new Registry();
  private readonly gauges: Record<MetricName, Gauge<'metric'>>;
  private readonly alertState: Gauge<'metric' | 'state'>;
  private readonly sampleTime: Gauge<'source'>;
  private readonly store: MetricsStore;

  private readonly source: Gauge<'metric' | 'source'>;
  private readonly ownCalls: Counter<'upstream' | 'outcome'>;
  private readonly ownRequests: Counter<'le'>;
  private readonly policyActions: Counter<'policy' | 'result'>;

  constructor(private readonly services: Pick<Services, 'ownRedis' | 'keys' | 'meter' | 'requestLatency'>) {
    this.store = new MetricsStore(services.ownRedis, services.keys);
    this.source = new Gauge({
      name: 'cache_doctor_metric_source',
      help: 'Where each figure currently comes from: 1 for its source (app, probe, sweep, doctor, stripe, generation, redis)',
      labelNames: ['metric', 'source'],
      registers: [this.registry],
    });
    // Cache Doctor's own traffic: this process's, never mixed into the app's figures above
    this.ownCalls = new Counter({
      name: 'cache_doctor_own_upstream_calls_total',
      help: "Cache Doctor's own Stripe, Clerk and generation API calls from this process, by outcome",
      labelNames: ['upstream', 'outcome'],
      registers: [this.registry],
    });
    this.ownRequests = new Counter({
      name: 'cache_doctor_own_http_request_duration_ms_bucket',
      help: "Cache Doctor's own /api requests served by this process, cumulative by latency bound (ms)",
      labelNames: ['le'],
      registers: [this.registry],
    });
    // kept in Redis, so every instance serves the same totals whichever process acted
    this.policyActions = new Counter({
      name: 'cache_doctor_policy_actions_total',
      help: 'Automatic repairs per policy and result (applied, failed, skipped, stopped), over every process',
      labelNames: ['policy', 'result'],
      registers: [this.registry],
    });
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
    const [latest, alerts, policyCounts] = await Promise.all([
      this.store.readLatest(),
      this.store.readAlerts(),
      this.services.ownRedis.hgetall(this.services.keys.own(POLICY_KEYS.counts)),
    ]);
    this.policyActions.reset();
    for (const [field, count] of Object.entries(policyCounts)) {
      const [policy = '', result = ''] = field.split(' ');
      this.policyActions.inc({ policy, result }, Number(count));
    }
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
    this.source.reset();
    for (const metric of METRIC_NAMES) {
      const source = latest?.sources?.[metric]?.source;
      if (source) this.source.set({ metric, source }, 1);
    }
    this.renderOwnTraffic();
    return this.registry.metrics();
  }

  private renderOwnTraffic(): void {
    this.ownCalls.reset();
    for (const [upstream, counters] of Object.entries(this.services.meter.snapshot())) {
      this.ownCalls.inc({ upstream, outcome: 'ok' }, counters.calls - counters.errors);
      this.ownCalls.inc({ upstream, outcome: 'error' }, counters.errors);
    }
    this.ownRequests.reset();
    let cumulative = 0;
    for (const [index, count] of this.services.requestLatency.snapshot().entries()) {
      cumulative += count;
      this.ownRequests.inc({ le: String(LATENCY_BUCKETS_MS[index] ?? '+Inf') }, cumulative);
    }
  }
}
