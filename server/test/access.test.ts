import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, apiRoutes as listApiRoutes, MUTATING, startHarness } from './harness';

/** Mutations a support user may not make; every other mutation is ops+ or admin-only too. */
describe('access model (SPEC §8)', () => {
  let harness: Harness;
  let apiRoutes: Array<{ method: string; path: string }>;

  beforeAll(async () => {
    harness = await startHarness();
    apiRoutes = listApiRoutes(harness.app);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('knows the API routes it is checking', () => {
    expect(apiRoutes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(['GET /api/status', 'GET /api/me', 'GET /api/audit']),
    );
  });

  it('answers 401 with a JSON error on every /api route without a token', async () => {
    for (const route of apiRoutes) {
      const response = await harness.request(route.method, route.path, {
        body: MUTATING.has(route.method) ? {} : undefined,
      });
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
      expect(await response.json()).toEqual({
        error: { code: 'UNAUTHENTICATED', message: expect.any(String) },
      });
    }
  });

  it('answers 401 to a wrong or malformed token', async () => {
    for (const authorization of ['Bearer not-a-staff-token', 'Basic b3BzOm9wcw==', 'Bearer']) {
      const response = await harness.app.request('/api/me', { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
    }
  });

  it('answers 403 FORBIDDEN to support on every mutating route, writing nothing', async () => {
    const before = await harness.snapshot();
    const mutations = apiRoutes.filter((route) => MUTATING.has(route.method));
    for (const route of mutations) {
      const response = await harness.request(route.method, route.path, { role: 'support', body: {} });
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
    expect(await harness.snapshot()).toEqual(before);
  });

  it('tells each staff member who they are and what they may do', async () => {
    const support = await (await harness.request('GET', '/api/me', { role: 'support' })).json();
    expect(support).toEqual({
      id: 'Sam Support',
      name: 'Sam Support',
      role: 'support',
      permissions: ['read'],
    });
    const admin = (await (await harness.request('GET', '/api/me', { role: 'admin' })).json()) as {
      permissions: string[];
    };
    expect(admin.permissions).toEqual(expect.arrayContaining(['refresh', 'rebuild', 'undo:any']));
  });

  it('serves /healthz without identity and sets security headers', async () => {
    const response = await harness.request('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('refuses demo sign-in outside demo mode', async () => {
    const response = await harness.request('POST', '/auth/demo', { body: { role: 'admin' } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('DEMO_DISABLED');
  });
});
