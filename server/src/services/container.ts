import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AtomicWriter } from '../adapters/atomic-write';
import { AuditLog } from '../adapters/audit-log';
import { type ClerkGateway, createClerkGateway } from '../adapters/clerk';
import { createGenerationGateway, type GenerationGateway } from '../adapters/generation';
import { createRedis } from '../adapters/redis';
import { createStripeGateway, type StripeGateway } from '../adapters/stripe';
import {
  type Authenticator,
  createDemoAuthenticator,
  createTokenAuthenticator,
  type DemoAuthenticator,
} from '../auth/authenticator';
import { createClerkAuthenticator } from '../auth/clerk-authenticator';
import type { Config } from '../config';
import { createJobsQueue } from '../jobs/queue';
import { createKeys, type Keys, OWN_KEYS } from '../keys';
import { UpstreamMeter } from '../lib/upstream-meter';
import { LatencyHistogram } from '../metrics/histogram';
import { OwnStore } from './own-store';
import { Readiness } from './readiness';

/** Everything a route, job or CLI command needs, built once from the configuration. */
export interface Services {
  config: Config;
  keys: Keys;
  /** the app's Redis: its cache keys, session records and lookup counters (SPEC §1, §5.1) */
  redis: Redis;
  /**
   * Cache Doctor's own data under OWN_PREFIX (audit log, metrics, jobs, policies, locks, rate
   * limits; SPEC §1.3, §7) — `OWN_REDIS_URL`; the same client as `redis` when that is REDIS_URL.
   */
  ownRedis: Redis;
  stripe: StripeGateway;
  clerk: ClerkGateway;
  generation: GenerationGateway;
  meter: UpstreamMeter;
  /** Cache Doctor's own /api request latencies, for the p95 metric (SPEC §5) */
  requestLatency: LatencyHistogram;
  audit: AuditLog;
  /** every write to the app's keys goes through this: WATCH/MULTI, before-images, audit entry */
  writer: AtomicWriter;
  /** `GET /readyz`: Redis answers and the process is not shutting down (SPEC §6.1) */
  readiness: Readiness;
  /** how durable Cache Doctor's own data is, and whether its audit history was lost (SPEC §7) */
  ownStore: OwnStore;
  authenticator: Authenticator;
  /** present only in demo mode */
  demoAuth: DemoAuthenticator | null;
  /** the BullMQ queue bulk jobs run on (SPEC §4); workers are started separately */
  jobQueue: Queue;
  close(): Promise<void>;
}

export function createServices(config: Config): Services {
  if (!config.redisUrl) throw new Error('createServices needs a Redis URL (demo mode starts its own first)');
  const keys = createKeys(config.keys, config.ownPrefix);
  const redis = createRedis(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs });
  const ownRedis =
    config.ownRedisUrl && config.ownRedisUrl !== config.redisUrl
      ? createRedis(config.ownRedisUrl, {
          name: 'cache-doctor-own',
          commandTimeoutMs: config.redisCommandTimeoutMs,
        })
      : redis;
  const meter = new UpstreamMeter();
  const timeout = config.upstreamTimeoutMs;
  const demoAuth = config.authMode === 'demo' ? createDemoAuthenticator() : null;
  const audit = new AuditLog(ownRedis, keys, redis);
  const writer = new AtomicWriter(redis, audit, ownRedis);
  const jobQueue = createJobsQueue(config);
  const clerk = createClerkGateway(config.clerk, meter, timeout);
  const authenticator =
    demoAuth ??
    (config.authMode === 'clerk'
      ? createClerkAuthenticator({ clerk: config.clerk, getUser: clerk.getUser, timeoutMs: timeout })
      : createTokenAuthenticator(config.staffTokens));
  return {
    config,
    keys,
    redis,
    ownRedis,
    meter,
    requestLatency: new LatencyHistogram(),
    stripe: createStripeGateway(config.stripe, meter, timeout),
    clerk,
    generation: createGenerationGateway(config.generation, meter, timeout),
    audit,
    writer,
    readiness: new Readiness(redis, ownRedis),
    ownStore: new OwnStore(ownRedis, keys.own(OWN_KEYS.storeMarker)),
    authenticator,
    demoAuth,
    jobQueue,
    async close() {
      await jobQueue.close();
      writer.close();
      redis.disconnect();
      if (ownRedis !== redis) ownRedis.disconnect();
    },
  };
}
