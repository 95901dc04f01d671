import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config';

/**
 * The BullMQ queue every server and `pnpm worker` shares, under Cache Doctor's own prefix
 * (`cache-doctor:bull:jobs:*` by default) in its own Redis (`OWN_REDIS_URL`), never among the app's keys.
 */
export const QUEUE_NAME = 'jobs';

export const bullPrefix = (ownPrefix: string) => `${ownPrefix.replace(/:$/, '')}:bull`;

/**
 * BullMQ needs its own connections that wait out Redis outages (`maxRetriesPerRequest: null`).
 * A worker's blocking reads wait by design; the queue's (adding a job while someone waits for the
 * answer) get a deadline, as every other command (SPEC §6.1).
 */
export function createBullConnection(url: string, commandTimeoutMs?: number): Redis {
  const connection = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: 'cache-doctor-bull',
    ...(commandTimeoutMs !== undefined && { commandTimeout: commandTimeoutMs }),
  });
  connection.on('error', () => {});
  return connection;
}

export const TASK_ATTEMPTS = 3;

/** The queue, on a connection of its own that closing the queue also closes. */
export function createJobsQueue(config: Config): Queue {
  const connection = createBullConnection(config.ownRedisUrl as string, config.redisCommandTimeoutMs);
  const queue = new Queue(QUEUE_NAME, {
    connection,
    prefix: bullPrefix(config.ownPrefix),
    defaultJobOptions: {
      attempts: TASK_ATTEMPTS,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    },
  });
  queue.on('error', () => {});
  // BullMQ leaves a connection it was handed open on close; this one belongs to the queue alone
  const close = queue.close.bind(queue);
  queue.close = async () => {
    await close();
    connection.disconnect();
  };
  return queue;
}
