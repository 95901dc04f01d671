import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../src/config';
import { freePort, type RedisServer, startRedisServer } from '../src/lib/redis-server';

/**
 * SPEC §11 and issue #22, as an operator runs it: `pnpm build` once, then `pnpm start:prod` and
 * `pnpm worker:prod` against a real redis-server and the sandbox upstreams running on their own
 * (`pnpm sandbox`). The built server must run with plain node — no tsx, no redis-server of its own.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OPS_TOKEN = 'ops-token-for-production-0123';
const GRACE_MS = 2_000;
/** users in the sandbox; every one a Stripe read at STRIPE_MAX_RPS, so the refresh outlasts GRACE_MS */
const USERS = 120;
const STRIPE_MAX_RPS = 20;

interface Process {
  child: ChildProcess;
  output: () => string;
}

/** A pnpm script as its own process group, so the test can stop everything it started. */
const pnpm = (script: string, env: Record<string, string>) => run('pnpm', ['--silent', script], env);

function run(command: string, args: string[], env: Record<string, string>): Process {
  let output = '';
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
  }
  return { child, output: () => output };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, process?: Process): Promise<T> {
  const deadline = Date.now() + 25_000;
  while (Date.now() < deadline) {
    if (process && process.child.exitCode !== null) throw new Error(`exited:\n${process.output()}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within 25 s${process ? `:\n${process.output()}` : ''}`);
}

function exited(process: Process): Promise<number | null> {
  if (process.child.exitCode !== null) return Promise.resolve(process.child.exitCode);
  return once(process.child, 'exit').then(([code]) => code as number | null);
}

function stopGroup(process: Process | undefined): Promise<unknown> {
  if (!process?.child.pid || process.child.exitCode !== null) return Promise.resolve();
  try {
    globalThis.process.kill(-process.child.pid, 'SIGKILL');
  } catch {
    return Promise.resolve();
  }
  return exited(process);
}

/** The node process running `entry` below `pid` (pnpm runs it through `sh -c`). */
const nodeRunning = (pid: number, entry: string) =>
  descendants(pid).filter(
    (process) => /^(\S*\/)?node /.test(process.command) && process.command.includes(entry),
  );

/** Every process descended from `pid`, with its command line, read from /proc. */
function descendants(pid: number): Array<{ pid: number; command: string }> {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
        return [{ pid: Number(name), parent, command }];
      } catch {
        return [];
      }
    });
  const found: Array<{ pid: number; command: string }> = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    for (const child of all.filter((entry) => entry.parent === current)) {
      found.push({ pid: child.pid, command: child.command });
      queue.push(child.pid);
    }
  }
  return found;
}

/** Requests that reached a sandbox upstream, all or those of routes starting with `route`. */
async function arrivals(upstream: string, route = ''): Promise<number> {
  const counters = await fetch(`${upstream}/__sandbox/counters`);
  const { routes } = (await counters.json()) as { routes: Record<string, number> };
  return Object.entries(routes)
    .filter(([template]) => template.startsWith(route))
    .reduce((sum, [, count]) => sum + count, 0);
}

function setLatency(upstream: string, latencyMs: number): Promise<Response> {
  return fetch(`${upstream}/__sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ latencyMs }),
  });
}

describe('production build and start (pnpm build, pnpm start:prod)', () => {
  let redisServer: RedisServer;
  let sandbox: Process;
  let upstreams: Record<string, string>;
  let env: Record<string, string>;
  let server: Process | undefined;
  let worker: Process | undefined;
  let base: string;

  beforeAll(async () => {
    // `npm test` built the web app before vitest ran; a bare `vitest run` builds it here.
    if (!existsSync(join(REPO_ROOT, 'web/dist/index.html'))) {
      execFileSync('pnpm', ['--filter', '@cache-doctor/web', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
    }
    // the server's half of `pnpm build` (about a second), from the sources under test
    execFileSync('pnpm', ['--filter', '@cache-doctor/server', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
    redisServer = await startRedisServer();
    sandbox = pnpm('sandbox', { SANDBOX_USERS: String(USERS) });
    upstreams = await until(
      'the sandbox upstreams',
      async () => {
        const pairs = [...sandbox.output().matchAll(/^ {2}([A-Z_]+)=(\S+)/gm)];
        const found = Object.fromEntries(pairs.map((match) => [match[1] as string, match[2] as string]));
        return found.GENERATION_API_TOKEN ? found : undefined;
      },
      sandbox,
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      REDIS_URL: redisServer.url,
      STRIPE_SECRET_KEY: 'sk_test_production',
      STRIPE_API_BASE: upstreams.STRIPE_API_BASE as string,
      STRIPE_MAX_RPS: String(STRIPE_MAX_RPS),
      CLERK_SECRET_KEY: 'sk_test_production',
      CLERK_API_URL: upstreams.CLERK_API_URL as string,
      GENERATION_API_URL: upstreams.GENERATION_API_URL as string,
      GENERATION_API_TOKEN: upstreams.GENERATION_API_TOKEN as string,
      AUTH_MODE: 'token',
      STAFF_TOKENS: `Olivia:ops:${OPS_TOKEN}`,
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      // a task left to BullMQ's stalled-job recovery would wait this long: longer than the test
      JOB_LOCK_MS: '120000',
      // no scheduled sweeps: their Stripe reads (and their tasks ahead of the bulk refresh) would
      // pass for the refresh's in the SIGTERM case
      SWEEP_EVERY_MS: '0',
      SESSION_SWEEP_EVERY_MS: '0',
    };
    server = pnpm('start:prod', env);
    await until('/healthz', async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), server);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([stopGroup(server), stopGroup(worker), stopGroup(sandbox)]);
    await redisServer?.stop();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${OPS_TOKEN}`, 'content-type': 'application/json' },
    });

  it('runs the built JavaScript with node: no tsx and no redis-server of its own', () => {
    const tree = descendants(server?.child.pid as number);
    expect(nodeRunning(server?.child.pid as number, 'server/dist/main.js')).toHaveLength(1);
    expect(tree.filter((entry) => /\btsx\b/.test(entry.command))).toEqual([]);
    expect(tree.filter((entry) => /redis-server/.test(entry.command))).toEqual([]);
    expect(server?.output()).not.toMatch(/demo mode/i);
  });

  it('answers /healthz and /readyz, serves the SPA without its source maps, and the API with a token', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, redis: { ok: true }, shuttingDown: false });

    const page = await fetch(`${base}/users/user_2abc`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}${script}`);
    expect(asset.status).toBe(200);
    expect((await asset.text()).includes('sourceMappingURL')).toBe(false);
    expect(existsSync(join(REPO_ROOT, 'web/dist', `${script}.map`))).toBe(true);
    expect((await fetch(`${base}${script}.map`)).status).toBe(404);

    expect((await fetch(`${base}/api/me`)).status).toBe(401);
    const me = await api('/api/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'Olivia', role: 'ops' });
  });

  it('on SIGTERM during a bulk refresh exits 0 within the grace time; the next process finishes the job', async () => {
    const stripe = upstreams.STRIPE_API_BASE as string;
    const clerk = upstreams.CLERK_API_URL as string;
    const users = await fetch(`${clerk}/v1/users?limit=500`, {
      headers: { authorization: 'Bearer sk_test_production' },
    });
    const userIds = ((await users.json()) as Array<{ id: string }>).map((user) => user.id);
    expect(userIds.length).toBeGreaterThan(100);
    const readsBefore = await arrivals(stripe);
    const started = await api('/api/jobs', {
      method: 'POST',
      body: JSON.stringify({ type: 'bulk-refresh', userIds }),
    });
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    const job = async () =>
      (await (await api(`/api/jobs/${jobId}`)).json()) as {
        state: string;
        progress: { done: number; total: number };
      };
    // the refresh is under way: it is reading Stripe, and no user is done yet
    await until('Stripe reads of the refresh', async () =>
      (await arrivals(stripe)) > readsBefore + 10 ? true : undefined,
    );
    expect(await job()).toMatchObject({ state: 'running', progress: { done: 0, total: userIds.length } });
    // from now on each Stripe read takes longer than the grace: a task reading one cannot finish in it
    await setLatency(stripe, GRACE_MS + 3_000);
    const slowReadsFrom = await arrivals(stripe);
    await until('a Stripe read slower than the grace', async () =>
      (await arrivals(stripe)) > slowReadsFrom ? true : undefined,
    );

    // and a request is in flight: its Clerk read answers after a second, within the grace
    await setLatency(clerk, 1_000);
    const userReadsBefore = await arrivals(clerk, 'GET /v1/users/:');
    const inFlight = api(`/api/search?q=${userIds[0]}`);
    await until('the search to reach Clerk', async () =>
      (await arrivals(clerk, 'GET /v1/users/:')) > userReadsBefore ? true : undefined,
    );

    const [node] = nodeRunning(server?.child.pid as number, 'server/dist/main.js');
    const signalled = Date.now();
    process.kill(node?.pid as number, 'SIGTERM');
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ results: [{ userId: userIds[0] }] });
    const code = await exited(server as Process);
    const tookMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(GRACE_MS + 2_000);
    expect(server?.output()).toMatch(/[1-9]\d* unfinished job task\(s\) returned to the queue/);
    expect(descendants(server?.child.pid as number)).toEqual([]);

    // the next process: a worker takes the returned task at once (the old lock would hold it 2 min)
    await setLatency(stripe, 0);
    worker = pnpm('worker:prod', env);
    const redis = new Redis(redisServer.url);
    try {
      const jobKey = `cache-doctor:jobs:${jobId}`;
      const finished = await until(
        'the job to finish in the next process',
        async () => {
          const state = await redis.hget(jobKey, 'state');
          return state === 'completed' || state === 'failed' ? state : undefined;
        },
        worker,
      );
      expect(finished).toBe('completed');
      expect(Number(await redis.hget(jobKey, 'done'))).toBe(userIds.length);
    } finally {
      redis.disconnect();
    }
    const [workerNode] = nodeRunning(worker.child.pid as number, 'server/dist/worker.js');
    process.kill(workerNode?.pid as number, 'SIGTERM');
    expect(await exited(worker)).toBe(0);
  }, 90_000);

  it("runs the Procfile's lines as a shell does; both processes stop cleanly on SIGTERM", async () => {
    const procfile = readFileSync(join(REPO_ROOT, 'docs/deploy/Procfile'), 'utf8');
    const lines = [...procfile.matchAll(/^(\w+):\s*(.+)$/gm)].map((match) => ({
      type: match[1] as string,
      process: run('sh', ['-c', match[2] as string], env),
    }));
    expect(lines.map((line) => line.type)).toEqual(['web', 'worker']);
    const [web, worker] = lines.map((line) => line.process) as [Process, Process];
    try {
      await until(
        'the web process',
        async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined),
        web,
      );
      await until('the worker', async () => (/ready/.test(worker.output()) ? true : undefined), worker);
      for (const started of [web, worker]) {
        // `exec` in the line: the shell became node, so this signal reaches the process itself
        expect(started.child.pid && nodeRunning(started.child.pid, 'server/dist')).toEqual([]);
        started.child.kill('SIGTERM');
        expect(await exited(started)).toBe(0);
      }
    } finally {
      await Promise.all([stopGroup(web), stopGroup(worker)]);
    }
  });
});

describe('the deploy guide', () => {
  const guide = readFileSync(join(REPO_ROOT, 'docs/deploy.md'), 'utf8');

  it('gives a production example of every variable the configuration reads', () => {
    const demoOnly = ['NODE_ENV', 'DEMO_USERS', 'DEMO_SEED'];
    const missing = ENVIRONMENT_VARIABLES.filter(
      (name) => !demoOnly.includes(name) && !new RegExp(`^#? ?${name}=`, 'm').test(guide),
    );
    expect(missing).toEqual([]);
  });

  // "where the machine allows": a machine without systemd has nothing to check the units with
  it.runIf(existsSync('/usr/bin/systemd-analyze'))('has systemd units that systemd-analyze accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-doctor-units-'));
    try {
      // a template unit is verified as one of its instances
      copyFileSync(join(REPO_ROOT, 'docs/deploy/cache-doctor.service'), join(dir, 'cache-doctor.service'));
      copyFileSync(
        join(REPO_ROOT, 'docs/deploy/cache-doctor-worker@.service'),
        join(dir, 'cache-doctor-worker@1.service'),
      );
      for (const unit of ['cache-doctor.service', 'cache-doctor-worker@1.service']) {
        const result = spawnSync('systemd-analyze', ['verify', join(dir, unit)], { encoding: 'utf8' });
        // verify exits 0 on settings it ignores, but names them: nothing may be said
        expect({ unit, status: result.status, said: `${result.stdout}${result.stderr}` }).toEqual({
          unit,
          status: 0,
          said: '',
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.concurrent('pnpm start:prod refuses to start', () => {
  const refusal = async (env: Record<string, string>) => {
    const started = pnpm('start:prod', env);
    const code = await exited(started);
    return { code, output: started.output() };
  };

  it('without configuration: one line per missing variable, never the demo', async () => {
    const { code, output } = await refusal({});
    expect(code).not.toBe(0);
    for (const name of ['REDIS_URL', 'STRIPE_SECRET_KEY', 'CLERK_SECRET_KEY', 'STAFF_TOKENS']) {
      expect(output).toMatch(new RegExp(`^cache-doctor: invalid configuration: ${name}: required`, 'm'));
    }
    expect(output).not.toMatch(/demo mode/i);
  });

  it('with demo sign-in', async () => {
    const { code, output } = await refusal({ AUTH_MODE: 'demo' });
    expect(code).not.toBe(0);
    expect(output).toMatch(/^cache-doctor: invalid configuration: AUTH_MODE: demo is refused in production/m);
  });
});
