import type { Redis } from 'ioredis';

interface RedisAnswer {
  ok: boolean;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  redis: RedisAnswer;
  /** the Redis of Cache Doctor's own data, when it is not `redis` (`OWN_REDIS_URL`) */
  ownRedis?: RedisAnswer;
  shuttingDown: boolean;
}

async function ping(redis: Redis): Promise<RedisAnswer> {
  try {
    await redis.ping();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * SPEC §6.1 readiness (`GET /readyz`, for load balancers): Redis answers within its command
 * deadline — both of them, when Cache Doctor's own data has a Redis of its own — and the process
 * is not shutting down. Liveness (`/healthz`) asks neither. Graceful shutdown calls
 * `markShuttingDown()` first, so balancers stop sending before the server closes.
 */
export class Readiness {
  private stopping = false;

  constructor(
    private readonly redis: Redis,
    private readonly ownRedis: Redis = redis,
  ) {}

  markShuttingDown(): void {
    this.stopping = true;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  async check(): Promise<ReadinessReport> {
    const separate = this.ownRedis !== this.redis;
    const [redis, ownRedis] = await Promise.all([
      ping(this.redis),
      separate ? ping(this.ownRedis) : Promise.resolve(null),
    ]);
    return {
      ready: redis.ok && (ownRedis?.ok ?? true) && !this.stopping,
      redis,
      ...(ownRedis && { ownRedis }),
      shuttingDown: this.stopping,
    };
  }
}
