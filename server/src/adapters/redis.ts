import { Redis } from 'ioredis';

/**
 * The one Redis connection factory. Commands fail fast while Redis is unreachable (no offline
 * queue), so a request answers 503 at once instead of hanging; ioredis keeps reconnecting in the
 * background, so everything recovers by itself when Redis returns.
 */
export function createRedis(url: string, options: { name?: string } = {}): Redis {
  const client = new Redis(url, {
    connectionName: options.name ?? 'cache-doctor',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Connection errors surface on the commands that hit them; without a listener ioredis would
  // print every reconnect attempt as an unhandled error.
  client.on('error', () => {});
  return client;
}

/** Resolves once the client is ready (the offline queue is off, so commands before this fail). */
export function redisReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      client.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      client.off('ready', onReady);
      reject(new Error('Redis connection closed before it was ready'));
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}

export interface RedisHealth {
  ok: boolean;
  latencyMs: number | null;
  usedMemory: number | null;
  maxMemory: number | null;
  version: string | null;
  error?: string;
}

/** Parses the `field:value` lines of INFO. */
export function parseInfo(info: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of info.split(/\r?\n/)) {
    const separator = line.indexOf(':');
    if (separator > 0 && !line.startsWith('#'))
      fields[line.slice(0, separator)] = line.slice(separator + 1).trim();
  }
  return fields;
}

export async function probeRedis(client: Redis): Promise<RedisHealth> {
  const started = performance.now();
  try {
    await client.ping();
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const info = parseInfo(`${await client.info('memory')}\n${await client.info('server')}`);
    const number = (value: string | undefined) => (value === undefined ? null : Number(value));
    return {
      ok: true,
      latencyMs,
      usedMemory: number(info.used_memory),
      maxMemory: number(info.maxmemory),
      version: info.redis_version ?? null,
    };
  } catch (error) {
    return {
      ok: false,
      latencyMs: null,
      usedMemory: null,
      maxMemory: null,
      version: null,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
