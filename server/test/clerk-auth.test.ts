import type { Role } from '@cache-doctor/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tamperWithToken } from '../src/sandbox';
import { apiRoutes, type Harness, MUTATING, startHarness } from './harness';
import { makeStale } from './integrity';

type Route = { method: string; path: string };

/** Query strings the read routes need to answer 200 rather than 400. */
const queryFor = (path: string, userId: string) =>
  ({
    '/api/sessions': `?problem=unprocessed&since=${new Date(Date.now() - 86_400_000).toISOString()}`,
    '/api/user/check-kv-sync': `?userId=${userId}`,
    '/api/search': '?q=example',
  })[path] ?? '';

/** Mutations only admins may make (SPEC §8 settings; §6.4 policies). */
const ADMIN_ONLY = /^\/api\/policies/;

const bodyFor = (route: Route) => (MUTATING.has(route.method) ? { body: {} } : {});

const errorCode = async (response: Response) =>
  ((await response.json()) as { error?: { code?: string } }).error?.code;

/** SPEC §8 with `AUTH_MODE=clerk`: real redis-server, the sandbox Clerk's JWKS and users. */
describe('staff sign-in with Clerk session tokens', () => {
  let harness: Harness;
  let routes: Route[];
  const staffUser = (role: Role) => {
    const staff = harness.seed.staff.find((s) => s.role === role);
    if (!staff) throw new Error(`no ${role} staff in the seed`);
    return staff.user;
  };

  beforeAll(async () => {
    harness = await startHarness({ auth: 'clerk' });
    const { dataset } = harness.seed;
    const userId = dataset.clerkUsers[0]?.id ?? '';
    routes = apiRoutes(harness.app, { userId, sessionId: dataset.checkoutSessions[0]?.id }).map((route) => ({
      ...route,
      path: route.path + queryFor(route.path, userId),
    }));
  });
  afterAll(async () => {
    await harness.close();
  });

  it('lets each role read every route and refuses exactly the mutations its role may not make', async () => {
    for (const role of ['support', 'ops', 'admin'] as const) {
      for (const route of routes) {
        const response = await harness.request(route.method, route.path, { role, ...bodyFor(route) });
        const where = `${role} ${route.method} ${route.path}`;
        if (!MUTATING.has(route.method)) {
          // Unknown job and audit ids are 404; everything else a staff member may read answers 200.
          expect(response.status, where).toBe(route.path.includes('/0000') ? 404 : 200);
        } else if (role === 'support' || (role === 'ops' && ADMIN_ONLY.test(route.path))) {
          expect(response.status, where).toBe(403);
          expect(await errorCode(response), where).toBe('FORBIDDEN');
        } else {
          expect([401, 403], where).not.toContain(response.status);
        }
      }
    }
  });

  it('keeps rebuilding the whole cache to admins', async () => {
    const asOps = await harness.request('POST', '/api/jobs', { role: 'ops', body: { type: 'rebuild' } });
    expect(asOps.status).toBe(403);
    const asAdmin = await harness.request('POST', '/api/jobs', { role: 'admin', body: { type: 'rebuild' } });
    expect(asAdmin.status).toBe(202);
  });

  it('answers 401 on every route to expired, tampered, other-instance and other-issuer tokens', async () => {
    const { clerkSessions } = harness.sandbox;
    const ops = staffUser('ops').id;
    const now = Math.floor(Date.now() / 1000);
    const bad = {
      expired: clerkSessions.mint(ops, { iat: now - 3600, lifetimeSeconds: 60 }),
      tampered: tamperWithToken(clerkSessions.mint(staffUser('support').id), { sub: staffUser('admin').id }),
      'signed by another Clerk instance': clerkSessions.mint(ops, { signedBy: 'other-instance' }),
      'from another issuer': clerkSessions.mint(ops, { iss: 'https://other-instance.clerk.accounts.dev' }),
    };
    for (const [kind, bearer] of Object.entries(bad)) {
      for (const route of routes) {
        const response = await harness.request(route.method, route.path, { bearer, ...bodyFor(route) });
        expect(response.status, `${kind}: ${route.method} ${route.path}`).toBe(401);
        expect(await errorCode(response)).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('answers 403 NO_ROLE to a signed-in Clerk user without a Cache Doctor role, writing nothing', async () => {
    const before = await harness.snapshot();
    const customer = harness.seed.dataset.clerkUsers[0];
    if (!customer) throw new Error('the seed has no Clerk users');
    const bearer = harness.sandbox.clerkSessions.mint(customer.id);
    for (const route of routes) {
      const response = await harness.request(route.method, route.path, { bearer, ...bodyFor(route) });
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
      expect(await errorCode(response)).toBe('NO_ROLE');
    }
    expect(await harness.snapshot()).toEqual(before);
  });

  it('names the Clerk user in the audit log when they act', async () => {
    const ops = staffUser('ops');
    const userId = harness.seed.dataset.clerkUsers[1]?.id ?? '';
    await makeStale(harness, userId);
    const refresh = await harness.request('POST', `/api/users/${userId}/refresh`, { role: 'ops', body: {} });
    expect(refresh.status).toBe(200);
    const { auditId } = (await refresh.json()) as { auditId: string };
    const audit = (await (await harness.request('GET', '/api/audit', { role: 'ops' })).json()) as {
      entries: Array<{ id: string; actor: string; actorName: string; role: string }>;
    };
    // the actor is the stable Clerk user id, the display name beside it (SPEC §8)
    expect(audit.entries.find((entry) => entry.id === auditId)).toMatchObject({
      actor: ops.id,
      actorName: `${ops.first_name} ${ops.last_name}`,
      role: 'ops',
    });
    const me = await (await harness.request('GET', '/api/me', { role: 'ops' })).json();
    expect(me).toMatchObject({ name: `${ops.first_name} ${ops.last_name}`, role: 'ops' });
  });

  it('tells the SPA to sign in with Clerk, and where', async () => {
    const config = await (await harness.request('GET', '/auth/config')).json();
    expect(config).toMatchObject({ authMode: 'clerk', signInUrl: harness.sandbox.clerkSessions.signInUrl });
  });

  it("hands a working token back from the sandbox's hosted sign-in page, in the URL fragment", async () => {
    const redirectUrl = 'http://127.0.0.1:5173/sign-in/callback?next=%2Fjobs';
    const signInUrl = `${harness.sandbox.clerkSessions.signInUrl}?${new URLSearchParams({ redirect_url: redirectUrl })}`;
    const page = await (await fetch(signInUrl)).text();
    for (const role of ['support', 'ops', 'admin'] as const) {
      const user = staffUser(role);
      expect(page).toContain(`Continue as ${user.first_name} ${user.last_name} (${role})`);
    }
    const chosen = await fetch(signInUrl, {
      method: 'POST',
      body: new URLSearchParams({ redirect_url: redirectUrl, user_id: staffUser('admin').id }),
      redirect: 'manual',
    });
    expect(chosen.status).toBe(303);
    const location = new URL(chosen.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}${location.search}`).toBe(redirectUrl);
    const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
    const me = await harness.request('GET', '/api/me', { bearer: token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: 'admin' });
  });
});

describe('Clerk session tokens verified networkless with CLERK_JWT_KEY', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ auth: 'clerk-jwt-key', users: 20 });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('accepts a valid token and refuses another instance’s without fetching the JWKS', async () => {
    const ops = harness.seed.staff.find((s) => s.role === 'ops')?.user.id ?? '';
    expect((await harness.request('GET', '/api/me', { role: 'ops' })).status).toBe(200);
    const foreign = harness.sandbox.clerkSessions.mint(ops, { signedBy: 'other-instance' });
    expect((await harness.request('GET', '/api/me', { bearer: foreign })).status).toBe(401);
    expect(harness.sandbox.counters.clerk.route('GET /v1/jwks')).toBe(0);
  });
});

/** Issue 17: the remote JWKS fetch keeps the upstream deadline too (the SDK's own fetch has none). */
describe('Clerk session tokens while Clerk hangs', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ auth: 'clerk', users: 20, env: { UPSTREAM_TIMEOUT_MS: '1000' } });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('answers 502 UPSTREAM_ERROR within the deadline when the JWKS does not load, then signs in once Clerk answers', async () => {
    harness.sandbox.faults.clerk.set({ latencyMs: 5_000 });
    const started = performance.now();
    const response = await harness.request('GET', '/api/me', { role: 'support' });
    const ms = performance.now() - started;
    harness.sandbox.faults.clerk.reset();
    expect(response.status).toBe(502);
    expect(await errorCode(response)).toBe('UPSTREAM_ERROR');
    expect(ms).toBeLessThan(2_500);
    expect((await harness.request('GET', '/api/me', { role: 'support' })).status).toBe(200);
  });
});
