import type { JobView, Role } from '@cache-doctor/shared';
import { redisReady } from '../src/adapters/redis';
import { createApp } from '../src/app';
import { runCli } from '../src/cli';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/lib/log';
import { type RedisServer, startRedisServer } from '../src/lib/redis-server';
import { type Sandbox, startSandbox } from '../src/sandbox';
import { buildSeed, datasetWithStaff, type Seed, writeSeedToRedis } from '../src/sandbox/seed';
import { createServices, type Services } from '../src/services/container';

export const STAFF: Record<Role, { name: string; token: string }> = {
  support: { name: 'Sam Support', token: 'support-token-0123456789' },
  ops: { name: 'Olivia Ops', token: 'ops-token-0123456789abcd' },
  admin: { name: 'Ada Admin', token: 'admin-token-0123456789ab' },
};

export const GENERATION_TOKEN = 'harness-generation-token';

export const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every `/api` route of the app, once each, its path parameters filled with ids that pass
 * validation (`ids` overrides them, e.g. with seeded ones), so a new route is covered unasked.
 */
export function apiRoutes(
  app: Harness['app'],
  ids: { userId?: string; sessionId?: string; id?: string } = {},
): Array<{ method: string; path: string }> {
  const concrete = (path: string) =>
    path
      .replace(':userId', ids.userId ?? 'user_2unknown')
      .replace(':sessionId', ids.sessionId ?? 'cs_test_unknown')
      // a job's result for one user (or session)
      .replace(':target', ids.userId ?? 'user_2unknown')
      .replace(':id', ids.id ?? '0000000000000000000000');
  const seen = new Set<string>();
  return app.routes
    .filter((route) => route.path.startsWith('/api/') && route.method !== 'ALL')
    .map((route) => ({ method: route.method, path: concrete(route.path) }))
    .filter((route) => {
      const key = `${route.method} ${route.path}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

export interface Harness {
  /** the app's Redis (its cache); also Cache Doctor's own data unless `ownRedisServer` is set */
  redisServer: RedisServer;
  /** with `ownRedis: true`: a second redis-server, OWN_REDIS_URL, holding Cache Doctor's own data */
  ownRedisServer?: RedisServer;
  sandbox: Sandbox;
  services: Services;
  app: ReturnType<typeof createApp>;
  seed: Seed;
  /** the app's log lines (JSON), as it would have written them to stdout */
  logs: string[];
  /** an HTTP request to the app as a staff role, with a given bearer token, or anonymous */
  request(
    method: string,
    path: string,
    options?: { role?: Role; bearer?: string; body?: unknown },
  ): Promise<Response>;
  /** runs `pnpm cli ...` in process on these services as an admin named `actor`; captures its output */
  cli(argv: string[], actor?: string): Promise<{ code: number; out: string; err: string }>;
  /**
   * every key and value in Redis (both servers with `ownRedis`), for "nothing else changed"
   * assertions; the rate limiters' counters are left out, since every request may move them
   */
  snapshot(): Promise<Record<string, string>>;
  /** the job's view (`GET /api/jobs/:id`, results up to 1,000) once it has ended; polls until then */
  jobEnded(jobId: string): Promise<JobView>;
  close(): Promise<void>;
}

/**
 * BullMQ records its queue's metadata in Redis shortly after connecting; waiting for it keeps that
 * write out of tests that assert "nothing was written".
 */
async function queueInitialised(services: Services): Promise<void> {
  await services.jobQueue.waitUntilReady();
  const metaKey = `${services.jobQueue.qualifiedName}:meta`;
  const deadline = Date.now() + 10_000;
  while (!(await services.ownRedis.exists(metaKey))) {
    if (Date.now() > deadline) throw new Error(`BullMQ did not write ${metaKey} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The real thing, end to end on this machine: a private redis-server, the sandbox upstreams
 * seeded with healthy and broken customers, and the product configured exactly as in production
 * (token auth, upstream URLs), talking to them through the real SDKs.
 */
export interface HarnessOptions {
  users?: number;
  seed?: number;
  /** the seed's "now" in ms (default `Date.now()`); give the same to a sandbox seeded elsewhere */
  seedNow?: number;
  env?: Record<string, string>;
  /**
   * `token` (default): STAFF_TOKENS. `clerk`: the seed's staff sign in with sandbox Clerk session
   * tokens checked against its JWKS; `clerk-jwt-key`: the same, networkless with CLERK_JWT_KEY.
   */
  auth?: 'token' | 'clerk' | 'clerk-jwt-key';
  /**
   * upstreams already running elsewhere (e.g. `pnpm sandbox` as a process of its own, seeded with
   * the same users, seed and `seedNow`): no sandbox is started in this process. Token auth only.
   */
  upstreams?: ExternalUpstreams;
  /** Cache Doctor's own data in a second redis-server (OWN_REDIS_URL), apart from the app's cache */
  ownRedis?: boolean;
}

export interface ExternalUpstreams {
  stripeUrl: string;
  clerkUrl: string;
  generationUrl: string;
  generationToken: string;
}

/** a harness on upstreams it did not start (`upstreams` given): no in-process `sandbox` */
export type ExternalHarness = Omit<Harness, 'sandbox'>;

export async function startHarness(
  options: HarnessOptions & { upstreams: ExternalUpstreams },
): Promise<ExternalHarness>;
export async function startHarness(options?: HarnessOptions): Promise<Harness>;
export async function startHarness(options: HarnessOptions = {}): Promise<Harness | ExternalHarness> {
  const auth = options.auth ?? 'token';
  if (options.upstreams && auth !== 'token') throw new Error('external upstreams take token auth only');
  const [redisServer, ownRedisServer] = await Promise.all([
    startRedisServer(),
    options.ownRedis ? startRedisServer() : undefined,
  ]);
  const seed = buildSeed({
    users: options.users ?? 200,
    seed: options.seed ?? 1,
    ...(options.seedNow !== undefined && { now: options.seedNow }),
  });
  const sandbox = options.upstreams
    ? undefined
    : await startSandbox({
        dataset: auth === 'token' ? seed.dataset : datasetWithStaff(seed),
        generationToken: GENERATION_TOKEN,
      });
  const upstreams: ExternalUpstreams = options.upstreams ?? {
    stripeUrl: (sandbox as Sandbox).stripeUrl,
    clerkUrl: (sandbox as Sandbox).clerkUrl,
    generationUrl: (sandbox as Sandbox).generationUrl,
    generationToken: GENERATION_TOKEN,
  };
  const authEnv =
    auth === 'token'
      ? {
          AUTH_MODE: 'token',
          STAFF_TOKENS: Object.entries(STAFF)
            .map(([role, staff]) => `${staff.name}:${role}:${staff.token}`)
            .join(','),
        }
      : {
          AUTH_MODE: 'clerk',
          CLERK_SIGN_IN_URL: (sandbox as Sandbox).clerkSessions.signInUrl,
          CLERK_ISSUER: (sandbox as Sandbox).clerkSessions.issuer,
          ...(auth === 'clerk-jwt-key' && { CLERK_JWT_KEY: (sandbox as Sandbox).clerkSessions.jwtKey }),
        };
  const tokenFor = (role: Role) => {
    if (auth === 'token') return STAFF[role].token;
    const staff = seed.staff.find((s) => s.role === role);
    if (!staff) throw new Error(`the seed has no ${role} staff user`);
    return (sandbox as Sandbox).clerkSessions.mint(staff.user.id);
  };
  const config = loadConfig({
    REDIS_URL: redisServer.url,
    ...(ownRedisServer && { OWN_REDIS_URL: ownRedisServer.url }),
    STRIPE_SECRET_KEY: 'sk_test_harness',
    STRIPE_API_BASE: upstreams.stripeUrl,
    CLERK_SECRET_KEY: 'sk_test_harness',
    CLERK_API_URL: upstreams.clerkUrl,
    GENERATION_API_URL: upstreams.generationUrl,
    GENERATION_API_TOKEN: upstreams.generationToken,
    ...authEnv,
    ...options.env,
  });
  const services = createServices(config);
  await Promise.all([redisReady(services.redis), redisReady(services.ownRedis)]);
  await queueInitialised(services);
  await writeSeedToRedis(services.redis, seed.redisWrites);
  // as main.ts does at start: the own store's marker exists before anyone reads the status
  await services.ownStore.check();
  const logs: string[] = [];
  const app = createApp(services, { log: createLogger((line) => logs.push(line)) });

  return {
    redisServer,
    ...(ownRedisServer && { ownRedisServer }),
    ...(sandbox && { sandbox }),
    services,
    app,
    seed,
    logs,
    request(method, path, { role, bearer, body } = {}) {
      const headers: Record<string, string> = {};
      const token = bearer ?? (role && tokenFor(role));
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return Promise.resolve(
        app.request(path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) }),
      );
    },
    async cli(argv, actor = 'cli:tester') {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (text: string) => out.push(text), err: (text: string) => err.push(text) };
      const open = async () => ({
        services,
        actor: { id: actor, name: actor, role: 'admin' as const },
        close: async () => {},
      });
      const code = await runCli(argv, { io, open });
      return { code, out: out.join('\n'), err: err.join('\n') };
    },
    async jobEnded(jobId) {
      for (;;) {
        const response = await app.request(`/api/jobs/${jobId}?limit=1000`, {
          headers: { authorization: `Bearer ${tokenFor('support')}` },
        });
        const view = (await response.json()) as JobView;
        if (view.state !== 'queued' && view.state !== 'running') return view;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async snapshot() {
      const rateLimitPrefix = services.keys.own('ratelimit:');
      const all: Record<string, string> = {};
      for (const redis of new Set([services.redis, services.ownRedis])) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'COUNT', 500);
          cursor = next;
          const values = keys.length > 0 ? await redis.mget(keys) : [];
          keys.forEach((key, index) => {
            if (!key.startsWith(rateLimitPrefix)) all[key] = values[index] ?? '';
          });
        } while (cursor !== '0');
      }
      return all;
    },
    async close() {
      await services.close();
      await sandbox?.close();
      await Promise.all([redisServer.stop(), ownRedisServer?.stop()]);
    },
  };
}
