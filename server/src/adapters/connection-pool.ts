import type { Redis } from 'ioredis';
import { redisReady, withinCommandTimeout } from './redis';

const MAX_IDLE_CONNECTIONS = 4;

/**
 * Dedicated connections for transactions: WATCH belongs to a connection, so concurrent
 * transactions on one shared client would guard each other's keys. A few idle ones are kept.
 */
export class ConnectionPool {
  private readonly idle: Redis[] = [];

  constructor(private readonly client: Redis) {}

  async acquire(): Promise<Redis> {
    const pooled = this.idle.pop();
    if (pooled && pooled.status === 'ready') return pooled;
    pooled?.disconnect();
    const connection = this.client.duplicate();
    connection.on('error', () => {});
    try {
      await withinCommandTimeout(connection, redisReady(connection));
    } catch (error) {
      connection.disconnect();
      throw error;
    }
    return connection;
  }

  /** Back to the pool; `healthy: false` (it timed out, and may still be inside WATCH or MULTI) closes it. */
  release(connection: Redis, healthy = true): void {
    if (healthy && this.idle.length < MAX_IDLE_CONNECTIONS && connection.status === 'ready')
      this.idle.push(connection);
    else connection.disconnect();
  }

  close(): void {
    for (const connection of this.idle.splice(0)) connection.disconnect();
  }
}
