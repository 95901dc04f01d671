import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Harness, STAFF } from './harness';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The environment that points a product process at a harness's Redis and (sandbox) upstreams. */
export function harnessEnv(harness: Pick<Harness, 'services'>): Record<string, string | undefined> {
  const { config } = harness.services;
  return {
    PATH: process.env.PATH,
    REDIS_URL: config.redisUrl,
    OWN_REDIS_URL: config.ownRedisUrl,
    STRIPE_SECRET_KEY: config.stripe.secretKey,
    STRIPE_API_BASE: config.stripe.apiBase,
    CLERK_SECRET_KEY: config.clerk.secretKey,
    CLERK_API_URL: config.clerk.apiUrl,
    REDIS_COMMAND_TIMEOUT_MS: String(config.redisCommandTimeoutMs),
    UPSTREAM_TIMEOUT_MS: String(config.upstreamTimeoutMs),
    AUTH_MODE: 'token',
    STAFF_TOKENS: Object.entries(STAFF)
      .map(([role, staff]) => `${staff.name}:${role}:${staff.token}`)
      .join(','),
  };
}

/**
 * Runs a product entry point (`server/src/worker.ts`, `server/src/main.ts`, …) as a process of its
 * own, as `pnpm` would, and resolves with the first match of `ready` in its output; rejects if it
 * exits first. `nodeArgs` go before the entry (e.g. `--cpu-prof`).
 */
export async function spawnProduct(
  entry: string,
  env: Record<string, string | undefined>,
  ready: RegExp,
  nodeArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${entry} exited (${code}): ${stderr}`));
    child.once('exit', onExit);
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
      const found = ready.exec(stdout);
      if (found) {
        child.off('exit', onExit);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve(found);
      }
    });
  });
  return { child, match };
}

/** Stops a product process gracefully (SIGTERM) and waits for it to exit. */
export function stopProduct(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface ServerProcess {
  child: ChildProcess;
  origin: string;
}

/** The server as `pnpm start` runs it, against a harness's Redis and (sandbox) upstreams, on a free port. */
export async function startServerProcess(
  harness: Pick<Harness, 'services'>,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const { child, match } = await spawnProduct(
    'server/src/main.ts',
    { ...harnessEnv(harness), PORT: '0', ...env },
    /listening on (http:\/\/\S+)/,
  );
  return { child, origin: match[1] as string };
}

/** A request to a server process as a staff role, with that role's token. */
export function requestAs(server: ServerProcess, role: keyof typeof STAFF, path: string): Promise<Response> {
  return fetch(`${server.origin}${path}`, { headers: { authorization: `Bearer ${STAFF[role].token}` } });
}
