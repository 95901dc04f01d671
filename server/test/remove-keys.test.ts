import type { CustomerHealthCode, CustomerSyncCode } from '@cache-doctor/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness';

/**
 * Remove keys (SPEC §3, §6.2) on real redis-server + the sandbox upstreams: a dry run writes
 * nothing, an apply deletes exactly the listed keys in one transaction, undo brings back values
 * and TTLs, keys no diagnosis names are refused, support may not remove.
 */

type Body = {
  plan: Array<{ key: string; before: string | null; after: string | null; reason: string }>;
  planId: string;
  applied: boolean;
  auditId: string | null;
  error?: { code: string; message: string };
};

describe('remove keys', () => {
  let harness: Harness;
  const taken = new Set<string>();

  /** a planted user with exactly this one problem, nobody else in this file has used */
  function take(code: CustomerHealthCode | CustomerSyncCode): string {
    const found = Object.entries(harness.seed.planted.users).find(
      ([id, codes]) => codes.length === 1 && codes[0] === code && !taken.has(id),
    );
    if (!found) throw new Error(`the seed has no unused user with only ${code}`);
    taken.add(found[0]);
    return found[0];
  }
  const remove = async (userId: string, body: unknown, role: 'ops' | 'support' | 'admin' = 'ops') => {
    const response = await harness.request('POST', `/api/users/${userId}/remove`, { role, body });
    return { status: response.status, body: (await response.json()) as Body };
  };
  /** the app's keys and values (Cache Doctor's own left out) */
  async function appKeys(): Promise<Record<string, string>> {
    const all = await harness.snapshot();
    return Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith('cache-doctor:')));
  }
  const ttls = (keys: readonly string[]) => Promise.all(keys.map((key) => harness.services.redis.ttl(key)));
  /** TTLs equal within a few seconds of clock (-1 "never expires" exactly) */
  function expectSameTtls(after: number[], before: number[]) {
    after.forEach((ttl, index) => {
      const was = before[index] as number;
      if (was < 0) expect(ttl).toBe(was);
      else expect(Math.abs(ttl - was)).toBeLessThanOrEqual(5);
    });
  }

  beforeAll(async () => {
    harness = await startHarness({ users: 600 });
  });
  afterAll(async () => {
    await harness?.close();
  });

  for (const code of ['LEGACY_KEYS', 'CLERK_USER_NOT_FOUND', 'STRIPE_CUSTOMER_NOT_FOUND'] as const) {
    it(`${code}: dry run writes nothing; apply deletes exactly the listed keys; undo restores them with their TTLs`, async () => {
      const userId = take(code);
      const before = await appKeys();

      const preview = await remove(userId, { dryRun: true });
      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({ applied: false, auditId: null, planId: expect.any(String) });
      expect(preview.body.plan.length).toBeGreaterThan(0);
      for (const entry of preview.body.plan) {
        expect(entry).toMatchObject({ after: null, reason: code === 'LEGACY_KEYS' ? 'LEGACY_KEYS' : code });
        expect(entry.before).toBe(await harness.services.redis.get(entry.key));
      }
      if (code === 'LEGACY_KEYS')
        for (const entry of preview.body.plan) expect(entry.key).toMatch(/^stripe:/);
      else expect(preview.body.plan.map((entry) => entry.key)).toContain(`user:${userId}`);
      expect(await appKeys()).toEqual(before);
      const listed = preview.body.plan.map((entry) => entry.key).sort();
      const ttlsBefore = await ttls(listed);

      const applied = await remove(userId, { planId: preview.body.planId });
      expect(applied.status).toBe(200);
      expect(applied.body).toMatchObject({
        applied: true,
        planId: preview.body.planId,
        auditId: expect.any(String),
      });
      const after = await appKeys();
      const gone = Object.keys(before)
        .filter((key) => !(key in after))
        .sort();
      expect(gone).toEqual(listed);
      for (const [key, value] of Object.entries(after)) expect(value).toBe(before[key]);

      const entry = await harness.services.audit.get(applied.body.auditId as string);
      expect(entry).toMatchObject({
        action: 'remove',
        target: userId,
        actor: 'Olivia Ops',
        result: 'applied',
      });

      const undo = await harness.request('POST', `/api/audit/${applied.body.auditId}/undo`, { role: 'ops' });
      expect(undo.status).toBe(200);
      expect(await appKeys()).toEqual(before);
      expectSameTtls(await ttls(listed), ttlsBefore);
    });
  }

  it('refuses keys no diagnosis names (400), a user with nothing to remove, and a stale plan; support gets 403', async () => {
    const userId = take('LEGACY_KEYS');
    const before = await harness.snapshot();
    const foreign = await remove(userId, { keys: [`user:${userId}`] });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error?.code).toBe('INVALID_REQUEST');

    const healthy = Object.entries(harness.seed.planted.users).find(
      ([, codes]) => codes.length === 0,
    )?.[0] as string;
    const nothing = await remove(healthy, {});
    expect(nothing.status).toBe(409);

    const stale = await remove(userId, { planId: 'a'.repeat(64) });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.code).toBe('PLAN_CHANGED');

    const support = await remove(userId, { dryRun: true }, 'support');
    expect(support.status).toBe(403);
    expect(await harness.snapshot()).toEqual(before);
  });

  it('pnpm cli user <id> --remove lists the keys and removes exactly them only after --yes; --dry-run writes nothing', async () => {
    const userId = take('LEGACY_KEYS');
    const before = await harness.snapshot();
    const dry = await harness.cli(['user', userId, '--remove', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out).remove).toMatchObject({ applied: false });
    expect(await harness.snapshot()).toEqual(before);
    // no --yes and no terminal to ask: the plan is shown, nothing is written, exit 1
    const unconfirmed = await harness.cli(['user', userId, '--remove']);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.out).toContain('Keys to remove:');
    expect(unconfirmed.err).toContain('Nothing was written: add --yes');
    expect(await harness.snapshot()).toEqual(before);
    const done = await harness.cli(['user', userId, '--remove', '--yes', '--json']);
    expect(done.code).toBe(0);
    const result = JSON.parse(done.out).remove as Body;
    expect(result).toMatchObject({ applied: true, planId: JSON.parse(dry.out).remove.planId });
    for (const entry of result.plan) expect(await harness.services.redis.exists(entry.key)).toBe(0);
  });
});
