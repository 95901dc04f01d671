import type { Redis } from 'ioredis';
import { probeRedis, type RedisHealth } from '../adapters/redis';
import { UpstreamTimeoutError } from '../lib/upstream-meter';
import type { Services } from './container';
import type { OwnStoreReport } from './own-store';

export interface UpstreamHealth {
  ok: boolean;
  latencyMs: number | null;
  error?: string;
}

/** How a check that outran its deadline reads on the Status page: "No answer in 1 s". */
export const noAnswerIn = (ms: number) => `No answer in ${Number((ms / 1000).toFixed(1))} s`;

async function probe(check: () => Promise<void>): Promise<UpstreamHealth> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message =
      error instanceof UpstreamTimeoutError
        ? noAnswerIn(error.timeoutMs)
        : error instanceof Error
          ? error.message
          : String(error);
    return { ok: false, latencyMs: null, error: message };
  }
}

/**
 * The Redis check within one command deadline (`REDIS_COMMAND_TIMEOUT_MS`) in all: a PING and two
 * INFOs that each just beat it would otherwise keep the card green for three deadlines.
 */
async function checkRedis(services: Services, client: Redis): Promise<RedisHealth> {
  const deadlineMs = services.config.redisCommandTimeoutMs;
  const noAnswer: RedisHealth = {
    ok: false,
    latencyMs: null,
    usedMemory: null,
    maxMemory: null,
    version: null,
    error: noAnswerIn(deadlineMs),
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<RedisHealth>((resolve) => {
    timer = setTimeout(() => resolve(noAnswer), deadlineMs);
  });
  try {
    const health = await Promise.race([probeRedis(client), deadline]);
    // ioredis' own words for its deadline say neither how long nor what it means
    return health.error?.startsWith('Command timed out') ? noAnswer : health;
  } finally {
    clearTimeout(timer);
  }
}

export interface ServiceStatus {
  demo: boolean;
  /** the app's Redis (its cache) */
  redis: RedisHealth;
  /** the Redis of Cache Doctor's own data when it is another server (`OWN_REDIS_URL`); else null */
  ownRedis: RedisHealth | null;
  /** the Redis holding Cache Doctor's own data: eviction, persistence, a lost audit history */
  ownStore: OwnStoreReport | null;
  stripe: UpstreamHealth & { mode: 'test' | 'live' };
  clerk: UpstreamHealth;
  generation: UpstreamHealth & { configured: boolean };
  /** demo mode only: the local sandbox upstreams (their `/__sandbox/faults` switches drive the e2e suite) */
  sandbox?: { stripe: string | undefined; clerk: string | undefined; generation: string | undefined };
}

/** SPEC §6.1: one round of parallel probes; a dependency that is down is reported, never thrown. */
export async function readServiceStatus(services: Services): Promise<ServiceStatus> {
  const separate = services.ownRedis !== services.redis;
  const [redis, ownRedis, ownStore, stripe, clerk, generation] = await Promise.all([
    checkRedis(services, services.redis),
    separate ? checkRedis(services, services.ownRedis) : Promise.resolve(null),
    // null while its Redis does not answer: `ownRedis.ok` (or `redis.ok`) already says so
    services.ownStore.check().catch(() => null),
    probe(() => services.stripe.probe()),
    probe(() => services.clerk.probe()),
    services.generation.configured
      ? probe(() => services.generation.probe())
      : Promise.resolve<UpstreamHealth>({
          ok: false,
          latencyMs: null,
          error: 'GENERATION_API_URL is not configured',
        }),
  ]);
  return {
    demo: services.config.demo,
    redis,
    ownRedis,
    ownStore,
    stripe: { ...stripe, mode: services.stripe.mode },
    clerk,
    generation: { ...generation, configured: services.generation.configured },
    ...(services.config.demo && {
      sandbox: {
        stripe: services.config.stripe.apiBase,
        clerk: services.config.clerk.apiUrl,
        generation: services.config.generation.url,
      },
    }),
  };
}
