import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Harness, STAFF } from './harness';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `pnpm worker` as a process of its own, pointed at a harness's Redis and sandbox upstreams;
 * resolves once it takes tasks. Used by the crash test (SIGKILL) and the bench (more cores).
 */
export async function spawnJobWorker(
  harness: Harness,
  env: { lockMs?: number; concurrency?: number } = {},
): Promise<ChildProcess> {
  const { config } = harness.services;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/worker.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      REDIS_URL: config.redisUrl,
      STRIPE_SECRET_KEY: config.stripe.secretKey,
      STRIPE_API_BASE: harness.sandbox.stripeUrl,
      CLERK_SECRET_KEY: config.clerk.secretKey,
      CLERK_API_URL: harness.sandbox.clerkUrl,
      AUTH_MODE: 'token',
      STAFF_TOKENS: Object.entries(STAFF)
        .map(([role, staff]) => `${staff.name}:${role}:${staff.token}`)
        .join(','),
      ...(env.lockMs !== undefined && { JOB_LOCK_MS: String(env.lockMs) }),
      ...(env.concurrency !== undefined && { JOB_CONCURRENCY: String(env.concurrency) }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`worker exited (${code}): ${stderr}`));
    child.once('exit', onExit);
    child.stdout?.on('data', (chunk) => {
      if (String(chunk).includes('ready')) {
        child.off('exit', onExit);
        resolve();
      }
    });
  });
  return child;
}

/** Stops a worker process gracefully and waits for it to exit. */
export function stopJobWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
