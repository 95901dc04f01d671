import { probeRedis, type RedisHealth } from '../adapters/redis';
import type { Services } from './container';
import type { OwnStoreReport } from './own-store';

export interface UpstreamHealth {
  ok: boolean;
  latencyMs: number | null;
  error?: string;
}

async function probe(check: () => Promise<void>): Promise<UpstreamHealth> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: null, error: error instanceof Error ? error.message : String(error) };
  }
}

export interface ServiceStatus {
  demo: boolean;
  redis: RedisHealth;
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
  const [redis, ownStore, stripe, clerk, generation] = await Promise.all([
    probeRedis(services.redis),
    // null while Redis does not answer: `redis.ok` already says so
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
