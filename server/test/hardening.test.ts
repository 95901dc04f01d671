import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { createLogger } from '../src/lib/log';
import { type Harness, STAFF, startHarness } from './harness';

/** SPEC §8 and issue 7's hardening: headers, per-actor mutation limits, logs, error bodies. */

interface ErrorBody {
  error: { code: string; message: string };
}

const MUTATIONS_PER_MIN = 3;

describe('hardening (real redis-server + sandbox)', () => {
  let harness: Harness;
  let userId: string;

  beforeAll(async () => {
    harness = await startHarness({ env: { MUTATION_RATE_PER_MIN: String(MUTATIONS_PER_MIN) } });
    userId = Object.keys(harness.seed.planted.users)[0] as string;
  });
  afterAll(async () => {
    await harness.close();
  });

  it('sends a strict Content-Security-Policy and the other security headers on every answer', async () => {
    for (const response of [
      await harness.request('GET', '/healthz'),
      await harness.request('GET', '/api/me', { role: 'support' }),
      await harness.request('GET', '/api/me'),
    ]) {
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      // plain HTTP (RFC 6797 §7.2): no HSTS
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('sends Strict-Transport-Security only when the request came over HTTPS: directly, or via a trusted proxy', async () => {
    const server = serve({ fetch: harness.app.fetch, port: 0, hostname: '127.0.0.1' });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const hsts = async (headers: Record<string, string> = {}) =>
      (await fetch(`http://127.0.0.1:${port}/healthz`, { headers })).headers.get('strict-transport-security');
    try {
      // a TLS socket gives the request an https URL
      const direct = await harness.app.request('https://cache-doctor.example/healthz');
      expect(direct.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      expect(await hsts()).toBeNull();
      expect(await hsts({ 'x-forwarded-proto': 'http' })).toBeNull();
      // the proxy on loopback (TRUSTED_PROXIES' default) says the browser used HTTPS
      expect(await hsts({ 'x-forwarded-proto': 'https' })).toMatch(/^max-age=\d+/);
      // only the nearest proxy's word counts
      expect(await hsts({ 'x-forwarded-proto': 'http, https' })).toMatch(/^max-age=\d+/);
      expect(await hsts({ 'x-forwarded-proto': 'https, http' })).toBeNull();
    } finally {
      server.close();
    }
    // a peer that is not a trusted proxy cannot claim HTTPS
    const untrusting = createApp(
      { ...harness.services, config: { ...harness.services.config, trustedProxies: ['10.0.0.1'] } },
      { log: createLogger(() => {}) },
    );
    const other = serve({ fetch: untrusting.fetch, port: 0, hostname: '127.0.0.1' });
    await once(other, 'listening');
    try {
      const response = await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/healthz`, {
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(response.headers.get('strict-transport-security')).toBeNull();
    } finally {
      other.close();
    }
  });

  it('authenticates by bearer token only: a cookie carrying a staff token is not an identity', async () => {
    const response = await harness.app.request('/api/me', {
      headers: { cookie: `token=${STAFF.admin.token}; session=${STAFF.admin.token}` },
    });
    expect(response.status).toBe(401);
  });

  it('limits each staff member to MUTATION_RATE_PER_MIN changes a minute, with Retry-After; previews are free', async () => {
    // previews write nothing, so they do not count (issue 17)
    for (let i = 0; i < MUTATIONS_PER_MIN + 2; i += 1) {
      const preview = await harness.request('POST', `/api/users/${userId}/refresh`, {
        role: 'ops',
        body: { dryRun: true },
      });
      expect(preview.status).toBe(200);
    }
    const dryRun = (role: 'ops' | 'admin') =>
      harness.request('POST', `/api/users/${userId}/refresh`, { role, body: {} });
    for (let i = 0; i < MUTATIONS_PER_MIN; i += 1) expect((await dryRun('ops')).status).toBe(200);

    const limited = await dryRun('ops');
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as ErrorBody).error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // another person is not held back by ops' clicks, and reads are never limited
    expect((await dryRun('admin')).status).toBe(200);
    expect((await harness.request('GET', `/api/users/${userId}/health`, { role: 'ops' })).status).toBe(200);
  });

  it('logs one redacted JSON line per request: request id, method, path, status, duration, actor', async () => {
    const response = await harness.request('GET', `/api/users/${userId}/health?secret=x`, {
      role: 'support',
    });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toEqual(expect.any(String));
    const lines = harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.requestId === requestId)).toEqual([
      {
        time: expect.any(String),
        level: 'info',
        msg: 'request',
        requestId,
        method: 'GET',
        path: `/api/users/${userId}/health`,
        status: 200,
        durationMs: expect.any(Number),
        actor: STAFF.support.name,
        role: 'support',
      },
    ]);
    const secrets = [
      ...Object.values(STAFF).map((staff) => staff.token),
      harness.services.config.stripe.secretKey,
      harness.services.config.clerk.secretKey,
      harness.services.config.generation.token as string,
    ];
    for (const secret of secrets) expect(harness.logs.join('\n')).not.toContain(secret);
  });

  it('answers every /api request with Cache-Control: no-store, errors included', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      harness.app.request(`/api/users/${userId}/refresh`, {
        method: 'POST',
        headers: { authorization: `Bearer ${STAFF.admin.token}`, ...headers },
        body,
      });
    for (const [status, response] of [
      [200, await harness.request('GET', `/api/users/${userId}/health`, { role: 'support' })],
      [401, await harness.request('GET', '/api/me')],
      [400, await harness.request('GET', '/api/users/not-an-id/health', { role: 'support' })],
      [404, await harness.request('GET', '/api/no-such-route', { role: 'support' })],
      // refused before any route runs: the body is not JSON, or too large
      [415, await post({ 'content-type': 'text/plain' }, '{"dryRun":true}')],
      [413, await post({ 'content-type': 'application/json' }, 'x'.repeat(100_000))],
    ] as const) {
      expect({ status: response.status, cacheControl: response.headers.get('cache-control') }).toEqual({
        status,
        cacheControl: 'no-store',
      });
    }
  });

  it("uses its own request ids, logging a client's id beside them only when it looks like an id", async () => {
    const sent = await harness.app.request('/api/me', {
      headers: { authorization: `Bearer ${STAFF.support.token}`, 'x-request-id': 'client-chosen-42' },
    });
    const ours = sent.headers.get('x-request-id');
    expect(ours).toMatch(/^[0-9a-f-]{36}$/);
    expect(ours).not.toBe('client-chosen-42');
    const lines = harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.requestId === ours)).toMatchObject({
      clientRequestId: 'client-chosen-42',
    });

    const forged = await harness.app.request('/api/me', {
      headers: {
        authorization: `Bearer ${STAFF.support.token}`,
        'x-request-id': 'evil id with "quotes" and spaces',
      },
    });
    const forgedLine = harness.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.requestId === forged.headers.get('x-request-id'));
    expect(forgedLine).toBeDefined();
    expect(forgedLine).not.toHaveProperty('clientRequestId');
  });

  it('logs request paths with ids but never an email or other free text typed into a URL', async () => {
    const email = 'somebody.private@example.com';
    for (const path of [`/api/users/${email}/health`, `/api/sessions/${email}`, `/api/no-such/${email}`])
      await harness.request('GET', path, { role: 'support' });
    expect(harness.logs.join('\n')).not.toContain('somebody.private');
    const paths = harness.logs.map((line) => (JSON.parse(line) as { path?: string | null }).path);
    expect(paths).toContain('/api/users/:userId/health');
    expect(paths).toContain(`/api/users/${userId}/health`);
  });

  it('answers an unexpected failure with a generic 500: no stack, no message, logged with its request id', async () => {
    const { audit } = harness.services;
    const list = audit.list;
    audit.list = () => {
      throw new Error(`exploded at ${harness.services.config.stripe.secretKey}`);
    };
    let response: Response;
    try {
      response = await harness.request('GET', '/api/audit', { role: 'support' });
    } finally {
      audit.list = list;
    }
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: expect.any(String) } });
    expect(text).not.toMatch(/exploded|sk_test|\.ts:\d+|at /);
    const logged = harness.logs
      .map((line) => JSON.parse(line) as { msg: string; requestId: string; stack?: string })
      .find((line) => line.msg === 'unhandled' && line.requestId === response.headers.get('x-request-id'));
    expect(logged?.stack).toContain('exploded at [redacted]');
  });

  it('refuses malformed and oversized bodies with 4xx JSON errors', async () => {
    const malformed = await harness.app.request(`/api/users/${userId}/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${STAFF.admin.token}`, 'content-type': 'application/json' },
      body: '{"dryRun":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ErrorBody).error.code).toBe('INVALID_REQUEST');

    const huge = await harness.app.request(`/api/users/${userId}/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${STAFF.admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun: true, padding: 'x'.repeat(100_000) }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
