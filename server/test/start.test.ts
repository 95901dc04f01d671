import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RedisServer, startRedisServer } from '../src/lib/redis-server';
import { type Sandbox, startSandbox } from '../src/sandbox';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const TOKEN = 'ops-token-for-start-test-0123';

/** `pnpm start`'s server process, exactly as a deployment runs it. */
function startProcess(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

/** Polls /healthz until the process serves; fails with its output if it exits or takes too long. */
async function waitUntilServing(url: string, server: ReturnType<typeof startProcess>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`server exited:\n${server.output()}`);
    const response = await fetch(url).catch(() => null);
    if (response?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not serve within 20 s:\n${server.output()}`);
}

async function exitOf(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { child, output } = startProcess(env);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output: output() };
}

describe('start-up', () => {
  it('exits 1 naming the variable when STAFF_TOKENS or PORT is malformed', async () => {
    const tokens = await exitOf({ AUTH_MODE: 'token', STAFF_TOKENS: 'alice:wizard:short', PORT: '8787' });
    expect(tokens.code).toBe(1);
    expect(tokens.output).toMatch(/^cache-doctor: invalid configuration: STAFF_TOKENS: /m);
    const port = await exitOf({ PORT: 'eighty' });
    expect(port.code).toBe(1);
    expect(port.output).toMatch(/^cache-doctor: invalid configuration: PORT: /m);
  });

  it('refuses demo sign-in when a real credential is configured', async () => {
    const result = await exitOf({ AUTH_MODE: 'demo', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('AUTH_MODE: demo is refused');
  });

  describe('with REDIS_URL and upstream keys', () => {
    let redisServer: RedisServer;
    let sandbox: Sandbox;
    let server: ReturnType<typeof startProcess>;
    let base: string;

    beforeAll(async () => {
      redisServer = await startRedisServer();
      sandbox = await startSandbox();
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      server = startProcess({
        PORT: String(port),
        REDIS_URL: redisServer.url,
        STRIPE_SECRET_KEY: 'sk_test_start',
        STRIPE_API_BASE: sandbox.stripeUrl,
        CLERK_SECRET_KEY: 'sk_test_start',
        CLERK_API_URL: sandbox.clerkUrl,
        AUTH_MODE: 'token',
        STAFF_TOKENS: `Olivia:ops:${TOKEN}`,
      });
      await waitUntilServing(`${base}/healthz`, server);
    });
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      if (server) await once(server.child, 'exit');
      await sandbox?.close();
      await redisServer?.stop();
    });

    it('uses them, starts nothing of its own and seeds nothing', async () => {
      expect(server.output()).not.toContain('demo mode');
      const response = await fetch(`${base}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const status = (await response.json()) as {
        demo: boolean;
        redis: { ok: boolean };
        stripe: { ok: boolean };
        clerk: { ok: boolean };
      };
      expect(status).toMatchObject({
        demo: false,
        redis: { ok: true },
        stripe: { ok: true },
        clerk: { ok: true },
      });
      expect(sandbox.counters.stripe.snapshot().requests).toBeGreaterThan(0);
      expect(sandbox.counters.clerk.snapshot().requests).toBeGreaterThan(0);
      const redis = new Redis(redisServer.url);
      try {
        // Cache Doctor may keep its own data (under its prefix); it must not write any app key.
        const appKeys = (await redis.keys('*')).filter((key) => !key.startsWith('cache-doctor:'));
        expect(appKeys).toEqual([]);
      } finally {
        redis.disconnect();
      }
    });

    it('refuses demo sign-in', async () => {
      const response = await fetch(`${base}/auth/demo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'admin' }),
      });
      expect(response.status).toBe(403);
    });
  });
});
