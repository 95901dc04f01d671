import { randomUUID } from 'node:crypto';
import { describeSource, type SourceDetail } from '@cache-doctor/shared';
import { CacheProbe } from '../adapters/cache-probe';
import {
  type AlertNotification,
  type AlertRule,
  type AlertState,
  METRIC_NAMES,
  METRIC_OPS,
  type MetricName,
  stepAlert,
} from '../domain/alerts';
import { METRICS_KEYS } from '../keys';
import type { Services } from '../services/container';
import { AppCounterReader, p95FromAppBuckets } from './app-counters';
import { AlertNotifier } from './notifier';
import { MetricsStore } from './store';
import { type Figure, sessionSweepFigures, syncFailureFigure } from './sweep-figures';
import { WebhookSampler } from './webhook-sample';

/**
 * The collector (SPEC §5): every `METRICS_SAMPLE_MS` one instance — the holder of a Redis lease —
 * computes every metric with its source, stores both, steps the alert rules and posts their
 * firing/resolved edges. The figures describe the app: its own reported lookups first, else the
 * probe's sampled two-step reads; Cache Doctor's own Redis commands and HTTP requests count in none
 * of them (its own calls stand in for the API error rate only while the app reports nothing).
 *
 * Rates come from counter differences between two samples, so the first sample after start (or
 * after taking the lease over) has no baseline and stores no data for them rather than 0.
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

interface DoctorCounters {
  calls: number;
  errors: number;
}

export interface Sample {
  t: number;
  values: Record<MetricName, number | null>;
  sources: Record<MetricName, SourceDetail>;
  alerts: AlertState[];
  notifications: AlertNotification[];
}

function infoField(info: string, field: string): number | null {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** The p95 of a few observations: the smallest value at or above 95 % of them. */
function p95Of(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)] ?? null;
}

export class MetricsCollector {
  readonly store: MetricsStore;
  private readonly notifier: AlertNotifier;
  private readonly sampler: WebhookSampler;
  private readonly appCounters: AppCounterReader;
  private readonly probe: CacheProbe;
  private readonly rules: AlertRule[];
  private readonly instanceId = randomUUID();
  private doctorBaseline: DoctorCounters | null = null;
  private webhook: { at: number; rate: number | null } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly services: Services,
    options: { notifier?: AlertNotifier } = {},
  ) {
    this.store = new MetricsStore(services.ownRedis, services.keys);
    this.notifier = options.notifier ?? new AlertNotifier({ url: services.config.alerts.webhookUrl });
    this.sampler = new WebhookSampler(services);
    // the app writes its counters into the Redis it already uses, beside its cache
    this.appCounters = new AppCounterReader(services.redis, services.config.ownPrefix);
    this.probe = new CacheProbe(services.redis, services.keys, services.config.probeUsers);
    this.rules = alertRules(services.config);
  }

  private get lockKey() {
    return this.services.keys.own(METRICS_KEYS.samplerLock);
  }

  /** Cache Doctor's own Stripe, Clerk and generation calls (never its own HTTP requests). */
  private doctorTotals(): DoctorCounters {
    let calls = 0;
    let errors = 0;
    for (const counters of Object.values(this.services.meter.snapshot())) {
      calls += counters.calls;
      errors += counters.errors;
    }
    return { calls, errors };
  }

  /**
   * One sample at `now` (ms). Null when another instance holds the lease. By default webhook
   * deliveries are awaited, so a caller (a test) sees them done when this resolves; the timer does
   * not wait, so a receiver that is down (and retried with backoff) never delays the next sample.
   */
  async sampleOnce(now: number, options: { awaitDelivery?: boolean } = {}): Promise<Sample | null> {
    const leaseMs = this.services.config.metricsSampleMs * 3;
    const held = await this.services.ownRedis.eval(
      LEASE_SCRIPT,
      1,
      this.lockKey,
      this.instanceId,
      String(leaseMs),
    );
    if (held !== 1) {
      // someone else samples; our baselines would span their samples too
      this.appCounters.reset();
      this.doctorBaseline = null;
      return null;
    }
    const figures = await this.figures(now);
    const values = Object.fromEntries(METRIC_NAMES.map((m) => [m, figures[m].value])) as Sample['values'];
    const sources = Object.fromEntries(METRIC_NAMES.map((m) => [m, figures[m].source])) as Sample['sources'];

    const prevStates = await this.store.readAlerts();
    const alerts: AlertState[] = [];
    const notifications: AlertNotification[] = [];
    for (const rule of this.rules) {
      const step = stepAlert(rule, prevStates[rule.metric] ?? null, {
        t: now,
        v: values[rule.metric],
        source: describeSource(sources[rule.metric], now),
      });
      alerts.push(step.state);
      if (step.notification) notifications.push(step.notification);
    }
    await this.store.record({ t: now, values, sources });
    await this.store.writeAlerts(alerts, notifications);

    const deliveries = Promise.all(notifications.map((n) => this.notifier.send(n)));
    if (options.awaitDelivery ?? true) await deliveries;
    return { t: now, values, sources, alerts, notifications };
  }

  private async figures(now: number): Promise<Record<MetricName, Figure>> {
    const [app, sync, sessions, redisMemory] = await Promise.all([
      this.appCounters.read(now),
      syncFailureFigure(this.services, now),
      sessionSweepFigures(this.services, now),
      this.redisMemory(),
    ]);
    const doctor = this.doctorTotals();
    const previousDoctor = this.doctorBaseline;
    this.doctorBaseline = doctor;
    let cache: Pick<Record<MetricName, Figure>, 'cacheHitRate' | 'apiErrorRate' | 'responseTimeP95'>;
    if (app.reporting) {
      const gained = app.gained;
      const appSource = { source: 'app' } as const;
      cache = {
        cacheHitRate: {
          value: gained && gained.lookups > 0 ? gained.hits / gained.lookups : null,
          source: appSource,
        },
        apiErrorRate: {
          value: gained && gained.upstreamCalls > 0 ? gained.upstreamErrors / gained.upstreamCalls : null,
          source: appSource,
        },
        responseTimeP95: { value: gained ? p95FromAppBuckets(gained.buckets) : null, source: appSource },
      };
    } else {
      const probe = await this.probe.sample();
      const probeSource = { source: 'probe', sampled: probe.sampled } as const;
      const calls = previousDoctor ? doctor.calls - previousDoctor.calls : 0;
      cache = {
        cacheHitRate: { value: probe.sampled > 0 ? probe.found / probe.sampled : null, source: probeSource },
        apiErrorRate: {
          value: previousDoctor && calls > 0 ? (doctor.errors - previousDoctor.errors) / calls : null,
          source: { source: 'doctor' },
        },
        responseTimeP95: { value: p95Of(probe.batchMs), source: probeSource },
      };
    }
    return {
      ...cache,
      syncFailureRate: sync,
      webhookSuccessRate: sessions.webhook ?? (await this.webhookFromRedis(now)),
      generationSuccessRate: sessions.generation,
      sessionLookupSuccessRate: sessions.sessionLookup,
      redisMemory,
    };
  }

  /**
   * Without a recent scheduled session sweep (the schedule is off, or has not run yet), a sample
   * of session records in Redis stands in for the webhook success rate, once a minute, and says so.
   */
  private async webhookFromRedis(now: number): Promise<Figure> {
    const source = { source: 'redis', of: 'sessions' } as const;
    if (this.webhook && now - this.webhook.at < WEBHOOK_SAMPLE_EVERY_MS && now >= this.webhook.at)
      return { value: this.webhook.rate, source };
    const { rate } = await this.sampler.sample(new Date(now));
    this.webhook = { at: now, rate };
    return { value: rate, source };
  }

  /** used / maxmemory; with no maxmemory (0), used / the machine's memory, and the chart says so. */
  private async redisMemory(): Promise<Figure> {
    const info = await this.services.redis.info('memory');
    const used = infoField(info, 'used_memory');
    const max = infoField(info, 'maxmemory');
    const system = infoField(info, 'total_system_memory');
    if (used !== null && max) return { value: used / max, source: { source: 'redis', of: 'maxmemory' } };
    if (used !== null && system) return { value: used / system, source: { source: 'redis', of: 'system' } };
    return { value: null, source: { source: 'redis', of: 'maxmemory' } };
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
    await this.services.ownRedis
      .eval(RELEASE_SCRIPT, 1, this.lockKey, this.instanceId)
      .catch(() => undefined);
  }
}
