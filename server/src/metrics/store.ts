import { type MetricsRange, RANGE_MS, type SourceDetail } from '@cache-doctor/shared';
import type { Redis } from 'ioredis';
import { type AlertNotification, type AlertState, METRIC_NAMES, type MetricName } from '../domain/alerts';
import { type Keys, METRICS_KEYS } from '../keys';
import { downsample, type Point } from './downsample';

/**
 * Metric history in Cache Doctor's own keys (SPEC §1.3, §5). Per metric, three sorted sets scored
 * by time: raw samples (kept 2 h, for the 1 h range), 5-minute and 30-minute rollups (kept 25 h
 * and 7 d, for the 24 h and 7 d ranges). A rollup member is `bucketStart:sum:count`, updated in
 * place by one Lua script per sample, so a read never averages more than ~500 members and the
 * 7-day request stays a handful of small ZRANGEBYSCOREs.
 */

export const MAX_POINTS = 500;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TIERS = {
  raw: { retentionMs: 2 * HOUR },
  '5m': { sizeMs: 5 * MINUTE, retentionMs: 25 * HOUR },
  '30m': { sizeMs: 30 * MINUTE, retentionMs: 7 * 24 * HOUR + 30 * MINUTE },
} as const;
const TIER_FOR_RANGE: Record<MetricsRange, keyof typeof TIERS> = { '1h': 'raw', '24h': '5m', '7d': '30m' };

const HISTORY_LENGTH = 100;

/** KEYS: raw, 5m, 30m. ARGV: t, v, raw cutoff, 5m size, 5m cutoff, 30m size, 30m cutoff. */
const RECORD_SCRIPT = `
local t = tonumber(ARGV[1])
local v = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], t, ARGV[1] .. ':' .. ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
for i = 0, 1 do
  local key = KEYS[2 + i]
  local size = tonumber(ARGV[4 + i * 2])
  local b = t - (t % size)
  local sum, n = v, 1
  local existing = redis.call('ZRANGEBYSCORE', key, b, b)
  if existing[1] then
    local _, _, s, c = string.find(existing[1], '^[^:]+:([^:]+):([^:]+)$')
    sum = sum + tonumber(s)
    n = n + tonumber(c)
    redis.call('ZREM', key, existing[1])
  end
  redis.call('ZADD', key, b, string.format('%d:%.17g:%d', b, sum, n))
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. ARGV[5 + i * 2])
end
return 1
`;

export interface LatestSample {
  t: number;
  values: Record<MetricName, number | null>;
  /** where each value came from (absent in samples stored before sources existed) */
  sources?: Record<MetricName, SourceDetail>;
}

export class MetricsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private seriesKey(metric: MetricName, tier: keyof typeof TIERS) {
    return this.keys.own(`${METRICS_KEYS.series}${tier}:${metric}`);
  }
  get latestKey() {
    return this.keys.own(METRICS_KEYS.latest);
  }
  get alertsKey() {
    return this.keys.own(METRICS_KEYS.alerts);
  }
  get historyKey() {
    return this.keys.own(METRICS_KEYS.alertsHistory);
  }

  /** One sample of every metric; no data is not stored (a gap), but is kept as null in `latest`. */
  async record(sample: LatestSample): Promise<void> {
    const { t } = sample;
    const pipeline = this.redis.pipeline();
    for (const metric of METRIC_NAMES) {
      const v = sample.values[metric];
      if (v === null || !Number.isFinite(v)) continue;
      pipeline.eval(
        RECORD_SCRIPT,
        3,
        this.seriesKey(metric, 'raw'),
        this.seriesKey(metric, '5m'),
        this.seriesKey(metric, '30m'),
        String(t),
        String(v),
        String(t - TIERS.raw.retentionMs),
        String(TIERS['5m'].sizeMs),
        String(t - TIERS['5m'].retentionMs),
        String(TIERS['30m'].sizeMs),
        String(t - TIERS['30m'].retentionMs),
      );
    }
    pipeline.set(this.latestKey, JSON.stringify(sample));
    await execOrThrow(pipeline);
  }

  /** Every series over `range` up to `now`, at most MAX_POINTS points each. */
  async readSeries(range: MetricsRange, now: number): Promise<Record<MetricName, Point[]>> {
    const from = now - RANGE_MS[range];
    const tier = TIER_FOR_RANGE[range];
    const pipeline = this.redis.pipeline();
    for (const metric of METRIC_NAMES) pipeline.zrangebyscore(this.seriesKey(metric, tier), from, now);
    const replies = (await execOrThrow(pipeline)) as string[][];
    const series = {} as Record<MetricName, Point[]>;
    METRIC_NAMES.forEach((metric, index) => {
      const points = (replies[index] ?? []).map((member) => parseMember(member, tier !== 'raw'));
      series[metric] = downsample(points, from, now, MAX_POINTS);
    });
    return series;
  }

  async readLatest(): Promise<LatestSample | null> {
    const raw = await this.redis.get(this.latestKey);
    return raw ? (JSON.parse(raw) as LatestSample) : null;
  }

  async readAlerts(): Promise<Partial<Record<MetricName, AlertState>>> {
    const raw = await this.redis.hgetall(this.alertsKey);
    return Object.fromEntries(
      Object.entries(raw).map(([metric, json]) => [metric, JSON.parse(json) as AlertState]),
    ) as Partial<Record<MetricName, AlertState>>;
  }

  /** The states after a sample, and the firing/resolved edges for the history (newest first). */
  async writeAlerts(states: AlertState[], notifications: AlertNotification[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    if (states.length > 0)
      pipeline.hset(this.alertsKey, Object.fromEntries(states.map((s) => [s.metric, JSON.stringify(s)])));
    for (const notification of notifications) pipeline.lpush(this.historyKey, JSON.stringify(notification));
    if (notifications.length > 0) pipeline.ltrim(this.historyKey, 0, HISTORY_LENGTH - 1);
    await execOrThrow(pipeline);
  }

  async readHistory(limit = 20): Promise<AlertNotification[]> {
    const raw = await this.redis.lrange(this.historyKey, 0, limit - 1);
    return raw.map((json) => JSON.parse(json) as AlertNotification);
  }
}

function parseMember(member: string, rollup: boolean): Point {
  const parts = member.split(':');
  if (rollup) return { t: Number(parts[0]), v: Number(parts[1]) / Number(parts[2]) };
  return { t: Number(parts[0]), v: Number(parts[1]) };
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
