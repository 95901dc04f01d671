import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config';

/**
 * The BullMQ queue every server and `pnpm worker` shares, under Cache Doctor's own prefix
 * (`cache-doctor:bull:jobs:*` by default), never among the app's keys.
 */
export const QUEUE_NAME = 'jobs';

export const bullPrefix = (ownPrefix: string) => `${ownPrefix.replace(/:$/, '')}:bull`;

/** BullMQ needs its own connections that wait out Redis outages (`maxRetriesPerRequest: null`). */
export function createBullConnection(url: string): Redis {
  const connection = new Redis(url, { maxRetriesPerRequest: null, connectionName: 'cache-doctor-bull' });
  connection.on('error', () => {});
  return connection;
}

export const TASK_ATTEMPTS = 3;

/** The queue, on a connection of its own that closing the queue also closes. */
export function createJobsQueue(config: Config): Queue {
  const connection = createBullConnection(config.redisUrl as string);
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
