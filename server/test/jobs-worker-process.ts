import type { ChildProcess } from 'node:child_process';
import type { Harness } from './harness';
import { harnessEnv, spawnProduct, stopProduct } from './product-process';

/**
 * `pnpm worker` as a process of its own, pointed at a harness's Redis and sandbox upstreams;
 * resolves once it takes tasks. Used by the crash test (SIGKILL) and the bench (more cores).
 */
export async function spawnJobWorker(
  harness: Pick<Harness, 'services'>,
  env: { lockMs?: number; concurrency?: number } = {},
): Promise<ChildProcess> {
  const { child } = await spawnProduct(
    'server/src/worker.ts',
    {
      ...harnessEnv(harness),
      ...(env.lockMs !== undefined && { JOB_LOCK_MS: String(env.lockMs) }),
      ...(env.concurrency !== undefined && { JOB_CONCURRENCY: String(env.concurrency) }),
    },
    /ready/,
  );
  return child;
}

/** Stops a worker process gracefully and waits for it to exit. */
export const stopJobWorker = stopProduct;
