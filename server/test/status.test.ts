import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness';

describe('GET /api/status (SPEC §6.1)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('reports Redis latency and memory and each upstream reachable', async () => {
    const response = await harness.request('GET', '/api/status', { role: 'support' });
    expect(response.status).toBe(200);
    const status = await response.json();
    expect(status).toMatchObject({
      demo: false,
      redis: { ok: true, latencyMs: expect.any(Number), usedMemory: expect.any(Number), maxMemory: 0 },
      stripe: { ok: true, mode: 'test' },
      clerk: { ok: true },
      generation: { ok: true, configured: true },
    });
  });

  it('still answers 200 and says what is down when Redis stops, and recovers by itself', async () => {
    await harness.redisServer.kill();
    try {
      const response = await harness.request('GET', '/api/status', { role: 'support' });
      expect(response.status).toBe(200);
      const status = (await response.json()) as {
        redis: { ok: boolean; error?: string };
        stripe: { ok: boolean };
      };
      expect(status.redis.ok).toBe(false);
      expect(status.redis.error).toEqual(expect.any(String));
      expect(status.stripe.ok).toBe(true);
    } finally {
      await harness.redisServer.restart();
    }
    await expect
      .poll(
        async () =>
          (
            (await (await harness.request('GET', '/api/status', { role: 'support' })).json()) as {
              redis: { ok: boolean };
            }
          ).redis.ok,
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
  });
});
