import { randomUUID } from 'node:crypto';
import {
  type AlertNotification,
  type AlertRule,
  type AlertState,
  METRIC_NAMES,
  METRIC_OPS,
  type MetricName,
  stepAlert,
} from '../domain/alerts';
import type { Services } from '../services/container';
import { lastSessionSweepKey } from '../services/session-sweep';
import { addBuckets, diffBuckets, quantileFromBuckets } from './histogram';
import { AlertNotifier } from './notifier';
import { MetricsStore } from './store';
import { WebhookSampler } from './webhook-sample';

/**
 * The collector (SPEC §5): every `METRICS_SAMPLE_MS` one instance — the holder of a Redis lease —
 * computes the six metrics over the interval since its previous sample, stores them, steps the
 * alert rules and posts their firing/resolved edges.
 *
 * Rates come from counter differences between two samples, so the first sample after start (or
 * after taking the lease over) has no baseline and stores no data for them rather than 0.
 * The upstream meter and the request histogram are this process's: with several instances, the
 * API error rate and p95 are those of the sampling instance.
 */

/** The webhook success rate costs a SCAN slice; once a minute is plenty for a slow-moving figure. */
export const WEBHOOK_SAMPLE_EVERY_MS = 60_000;

export function alertRules(config: Services['config']): AlertRule[] {
  return METRIC_NAMES.map((metric) => ({
    metric,
    op: METRIC_OPS[metric],
    threshold: config.alerts[metric],
    forMs: config.alerts.forMs,
  }));
}

/** SET NX PX, or renew a lease this instance already holds; 1 when this instance may sample. */
const LEASE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface RedisCounters {
  hits: number;
  misses: number;
}

interface Baseline {
  redis: RedisCounters;
  calls: number;
  errors: number;
  latency: number[];
}

export interface Sample {
  t: number;
  values: Record<MetricName, number | null>;
  alerts: AlertState[];
  notifications: AlertNotification[];
}

function infoField(info: string, field: string): number | null {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return match?.[1] === undefined ? null : Number(match[1]);
}

export class MetricsCollector {
  readonly store: MetricsStore;
  private readonly notifier: AlertNotifier;
  private readonly sampler: WebhookSampler;
  private readonly rules: AlertRule[];
  private readonly instanceId = randomUUID();
  private baseline: Baseline | null = null;
  private webhook: { at: number; rate: number | null } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly services: Services,
    options: { notifier?: AlertNotifier } = {},
  ) {
    this.store = new MetricsStore(services.redis, services.keys);
    this.notifier = options.notifier ?? new AlertNotifier({ url: services.config.alerts.webhookUrl });
    this.sampler = new WebhookSampler(services);
    this.rules = alertRules(services.config);
  }

  private get lockKey() {
    return this.services.keys.own('metrics:sampler-lock');
  }

  private async readRedisCounters(): Promise<RedisCounters> {
    const info = await this.services.redis.info('stats');
    return { hits: infoField(info, 'keyspace_hits') ?? 0, misses: infoField(info, 'keyspace_misses') ?? 0 };
  }

  private upstreamTotals() {
    const snapshot = this.services.meter.snapshot();
    let calls = 0;
    let errors = 0;
    let latency: number[] = [];
    for (const counters of Object.values(snapshot)) {
      calls += counters.calls;
      errors += counters.errors;
      latency = addBuckets(latency, counters.latencyBuckets);
    }
    return { calls, errors, latency: addBuckets(latency, this.services.requestLatency.snapshot()) };
  }

  /**
   * One sample at `now` (ms). Null when another instance holds the lease. By default webhook
   * deliveries are awaited, so a caller (a test) sees them done when this resolves; the timer does
   * not wait, so a receiver that is down (and retried with backoff) never delays the next sample.
   */
  async sampleOnce(now: number, options: { awaitDelivery?: boolean } = {}): Promise<Sample | null> {
    const { redis } = this.services;
    // Redis hit/miss counters are read first, before even the lease (its GET is a lookup); the
    // collector's own reads below (the webhook SCAN, the sweep result, the series writes) happen
    // before the closing read that becomes the next baseline, so they never count in the hit rate.
    const redisNow = await this.readRedisCounters();
    const leaseMs = this.services.config.metricsSampleMs * 3;
    const held = await redis.eval(LEASE_SCRIPT, 1, this.lockKey, this.instanceId, String(leaseMs));
    if (held !== 1) {
      this.baseline = null; // someone else samples; our counters would span their samples too
      return null;
    }
    const upstream = this.upstreamTotals();
    const previous = this.baseline;

    const values: Record<MetricName, number | null> = {
      cacheHitRate: null,
      syncFailureRate: await this.syncFailureRate(),
      apiErrorRate: null,
      responseTimeP95: null,
      webhookSuccessRate: await this.webhookSuccessRate(now),
      redisMemory: await this.redisMemory(),
    };
    if (previous) {
      const hits = redisNow.hits - previous.redis.hits;
      const lookups = hits + (redisNow.misses - previous.redis.misses);
      values.cacheHitRate = lookups > 0 && hits >= 0 ? hits / lookups : null;
      const calls = upstream.calls - previous.calls;
      values.apiErrorRate = calls > 0 ? (upstream.errors - previous.errors) / calls : null;
      values.responseTimeP95 = quantileFromBuckets(diffBuckets(upstream.latency, previous.latency), 0.95);
    }

    const prevStates = await this.store.readAlerts();
    const alerts: AlertState[] = [];
    const notifications: AlertNotification[] = [];
    for (const rule of this.rules) {
      const step = stepAlert(rule, prevStates[rule.metric] ?? null, { t: now, v: values[rule.metric] });
      alerts.push(step.state);
      if (step.notification) notifications.push(step.notification);
    }
    await this.store.record({ t: now, values });
    await this.store.writeAlerts(alerts, notifications);

    this.baseline = { redis: await this.readRedisCounters(), ...upstream };
    const deliveries = Promise.all(notifications.map((n) => this.notifier.send(n)));
    if (options.awaitDelivery ?? true) await deliveries;
    return { t: now, values, alerts, notifications };
  }

  private async syncFailureRate(): Promise<number | null> {
    const raw = await this.services.redis.get(this.services.keys.own('metrics:last-sweep'));
    if (!raw) return null;
    try {
      const sweep = JSON.parse(raw) as { checked?: unknown; outOfSync?: unknown };
      if (typeof sweep.checked !== 'number' || typeof sweep.outOfSync !== 'number' || sweep.checked <= 0)
        return null;
      return sweep.outOfSync / sweep.checked;
    } catch {
      return null;
    }
  }

  /**
   * Stripe's truth first: the scheduled session sweep's rate over paid sessions, while it is
   * recent (three runs). Without one (the schedule is off, or has not run yet) the Redis-only
   * sample stands in.
   */
  private async webhookSuccessRate(now: number): Promise<number | null> {
    const fromSweep = await this.sessionSweepRate(now);
    if (fromSweep !== undefined) return fromSweep;
    if (this.webhook && now - this.webhook.at < WEBHOOK_SAMPLE_EVERY_MS && now >= this.webhook.at)
      return this.webhook.rate;
    const { rate } = await this.sampler.sample(new Date(now));
    this.webhook = { at: now, rate };
    return rate;
  }

  /** undefined when there is no recent session sweep */
  private async sessionSweepRate(now: number): Promise<number | null | undefined> {
    const everyMs = this.services.config.sessionSweepEveryMs;
    const raw = await this.services.redis.get(lastSessionSweepKey(this.services));
    if (!raw || everyMs <= 0) return undefined;
    try {
      const sweep = JSON.parse(raw) as { at?: unknown; rate?: unknown };
      const at = typeof sweep.at === 'string' ? Date.parse(sweep.at) : Number.NaN;
      if (Number.isNaN(at) || now - at > 3 * everyMs) return undefined;
      return typeof sweep.rate === 'number' ? sweep.rate : null;
    } catch {
      return undefined;
    }
  }

  private async redisMemory(): Promise<number | null> {
    const info = await this.services.redis.info('memory');
    const used = infoField(info, 'used_memory');
    const max = infoField(info, 'maxmemory');
    return used === null || !max ? null : used / max;
  }

  /** Samples every METRICS_SAMPLE_MS until stop(); a slow sample is never overlapped by the next. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running !== null) return;
      this.running = this.sampleOnce(Date.now(), { awaitDelivery: false })
        .catch((error: unknown) =>
          console.error(
            JSON.stringify({ level: 'error', message: `metrics sample failed: ${String(error)}` }),
          ),
        )
        .finally(() => {
          this.running = null;
        });
    }, this.services.config.metricsSampleMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.services.redis.eval(RELEASE_SCRIPT, 1, this.lockKey, this.instanceId).catch(() => undefined);
  }
}
