import { Redis } from 'ioredis';

/** SPEC §6.1's default; the server passes `REDIS_COMMAND_TIMEOUT_MS`. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;

/**
 * The one Redis connection factory. Commands fail fast while Redis is unreachable (no offline
 * queue), so a request answers 503 at once instead of hanging, and fail after `commandTimeoutMs`
 * while Redis hangs with the connection open (a stopped or overloaded server). A command sent on a
 * connection that dropped is never sent again after the reconnect: that would be a write landing
 * after its request was answered (and outside the WATCH it was planned under). ioredis keeps
 * reconnecting in the background, so everything recovers by itself when Redis returns.
 */
export function createRedis(url: string, options: { name?: string; commandTimeoutMs?: number } = {}): Redis {
  const client = new Redis(url, {
    connectionName: options.name ?? 'cache-doctor',
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Connection errors surface on the commands that hit them; without a listener ioredis would
  // print every reconnect attempt as an unhandled error.
  client.on('error', () => {});
  failFastWhileHung(client);
  return client;
}

const PROBE_EVERY_MS = 250;

/**
 * Once a command has timed out, Redis is taken as hung: later commands fail at once instead of
 * each waiting out its own deadline (a read that needs three commands would take three deadlines,
 * and a customer read would reach its Stripe fallback late). A PING goes out every 250 ms while
 * hung; the first answer of any command ends it, so recovery needs no restart. PINGs always go
 * through: a probe (`/readyz`, `/api/status`) asks Redis itself, never this memory of it.
 */
function failFastWhileHung(client: Redis): void {
  let hungSince: number | null = null;
  let probe: NodeJS.Timeout | null = null;
  const answered = () => {
    hungSince = null;
    if (probe) clearInterval(probe);
    probe = null;
  };
  const timedOut = () => {
    hungSince ??= Date.now();
    probe ??= setInterval(() => void client.ping().catch(() => {}), PROBE_EVERY_MS).unref();
  };
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command, ...rest) => {
    if (hungSince !== null && command.name !== 'ping') {
      command.reject(
        new Error(
          `Command timed out: Redis has not answered for ${Date.now() - hungSince} ms (REDIS_COMMAND_TIMEOUT_MS)`,
        ),
      );
      return command.promise;
    }
    command.promise.then(answered, (error: Error) => {
      if (error.message === 'Command timed out') timedOut();
    });
    return send(command, ...rest);
  }) as Redis['sendCommand'];
  // a new connection is a new chance: whatever hung, the old one is gone
  client.on('ready', answered);
  client.on('end', answered);
}

/**
 * ioredis' errors when Redis cannot answer: the connection is down (offline queue disabled,
 * retries exhausted) or the command's deadline passed while Redis hung.
 */
export function isRedisUnavailable(error: Error): boolean {
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /Stream isn't writeable|Connection is closed|ECONNREFUSED|Command timed out/.test(error.message)
  );
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

/**
 * `step` (e.g. a new connection's ready check) or an error once the client's command deadline
 * passes: a hung Redis accepts connections but never answers them.
 */
export async function withinCommandTimeout<T>(client: Redis, step: Promise<T>): Promise<T> {
  const ms = client.options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Command timed out: Redis did not get ready within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([step, timeout]);
  } finally {
    clearTimeout(timer);
  }
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
