import type { Redis } from 'ioredis';
import { createRedis, redisReady } from '../src/adapters/redis';

/**
 * How long single Redis commands took, from Redis itself: the slow log with its threshold at 0 µs
 * records every command with the time Redis spent executing it (not network or queueing), its
 * arguments and the client's name. Read on a connection of its own; the settings are put back.
 */

export interface CommandLog {
  /** commands the watched client issued while the block ran */
  commands: number;
  /** the longest of them, in microseconds of Redis execution time */
  maxMicros: number;
  /** execution times of all of them, ascending */
  micros: number[];
  /** that command, e.g. `SCAN 0 MATCH prompt:* COUNT 300` (arguments cut short) */
  maxCommand: string;
  /** how many took longer than `overMicros` */
  over: number;
  overMicros: number;
  /** true when the log filled up and the oldest commands were lost */
  overflowed: boolean;
}

/** Enough for the old script's one GET per key over the bench's keyspace. */
const LOG_LENGTH = 500_000;

type SlowlogEntry = [id: number, at: number, micros: number, args: string[], addr: string, name: string];

function describe(args: readonly string[]): string {
  const text = args.map((a) => (a.length > 40 ? `${a.slice(0, 37)}...` : a)).join(' ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Runs `fn` and reports the commands the client named `clientName` issued meanwhile (ioredis'
 * `connectionName`; the app's connection is `cache-doctor`).
 */
export async function withCommandLog<T>(
  url: string,
  clientName: string,
  fn: () => Promise<T>,
  options: { overMicros?: number } = {},
): Promise<{ result: T; log: CommandLog }> {
  const overMicros = options.overMicros ?? 10_000;
  const admin: Redis = createRedis(url, { name: 'bench-command-log' });
  try {
    await redisReady(admin);
    const saved = (await admin.config('GET', 'slowlog-*')) as string[];
    await admin.config('SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', String(LOG_LENGTH));
    await admin.slowlog('RESET');
    let result: T;
    let entries: SlowlogEntry[];
    try {
      result = await fn();
      entries = (await admin.slowlog('GET', LOG_LENGTH)) as SlowlogEntry[];
    } finally {
      await admin.config('SET', ...saved);
      await admin.slowlog('RESET');
    }
    const ours = entries.filter((entry) => entry[5] === clientName);
    let longest: SlowlogEntry | undefined;
    for (const entry of ours) if (!longest || entry[2] > longest[2]) longest = entry;
    return {
      result,
      log: {
        commands: ours.length,
        maxMicros: longest?.[2] ?? 0,
        micros: ours.map((entry) => entry[2]).sort((a, b) => a - b),
        maxCommand: longest ? describe(longest[3]) : '(none)',
        over: ours.filter((entry) => entry[2] > overMicros).length,
        overMicros,
        overflowed: entries.length >= LOG_LENGTH,
      },
    };
  } finally {
    admin.disconnect();
  }
}
