import type { Redis } from 'ioredis';

export interface ReadinessReport {
  ready: boolean;
  redis: { ok: boolean; error?: string };
  shuttingDown: boolean;
}

/**
 * SPEC §6.1 readiness (`GET /readyz`, for load balancers): Redis answers within its command
 * deadline and the process is not shutting down. Liveness (`/healthz`) asks neither. Graceful
 * shutdown calls `markShuttingDown()` first, so balancers stop sending before the server closes.
 */
export class Readiness {
  private stopping = false;

  constructor(private readonly redis: Redis) {}

  markShuttingDown(): void {
    this.stopping = true;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  async check(): Promise<ReadinessReport> {
    let redis: ReadinessReport['redis'];
    try {
      await this.redis.ping();
      redis = { ok: true };
    } catch (error) {
      redis = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    return { ready: redis.ok && !this.stopping, redis, shuttingDown: this.stopping };
  }
}
