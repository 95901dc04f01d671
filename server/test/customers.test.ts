import {
  CUSTOMER_HEALTH_CODES,
  CUSTOMER_PROBLEM_KINDS,
  CUSTOMER_SYNC_CODES,
  type Problem,
} from '@cache-doctor/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness';

interface HealthBody {
  healthy: boolean;
  customerId: string | null;
  problems: Problem[];
  keys: Array<{ key: string; exists: boolean; ttl: number; raw: string | null }>;
}
interface SyncBody {
  inSync: boolean;
  problems: Problem[];
  differences: Array<{ field: string }>;
}
interface RefreshBody {
  plan: Array<{ key: string; before: string | null; after: string | null; unchanged: boolean }>;
  applied: boolean;
  auditId: string | null;
}

const appKeys = (snapshot: Record<string, string>) =>
  Object.fromEntries(Object.entries(snapshot).filter(([key]) => !key.startsWith('cache-doctor:')));

describe('customer cache on seeded data (real redis-server + sandbox)', () => {
  let harness: Harness;
  const get = async <T>(path: string, role: 'support' | 'ops' | 'admin' = 'support') => {
    const response = await harness.request('GET', path, { role });
    return { status: response.status, body: (await response.json()) as T };
  };
  const refresh = async (userId: string, dryRun = false) => {
    const response = await harness.request('POST', `/api/users/${userId}/refresh`, {
      role: 'ops',
      body: { dryRun },
    });
    return { status: response.status, body: (await response.json()) as RefreshBody };
  };
  const plantedWith = (code: string) => {
    const users = harness.seed.planted.byCode[code as keyof typeof harness.seed.planted.byCode];
    expect(users?.length, `seed plants ${code}`).toBeGreaterThan(0);
    return users ?? [];
  };

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  /**
   * Lists that carry codes only (a sweep's rows) read their verdict from CUSTOMER_PROBLEM_KINDS: its
   * severity is the diagnosis's, and it never names a fix the diagnosis does not offer.
   */
  const expectKindAgrees = (
    code: keyof typeof CUSTOMER_PROBLEM_KINDS,
    problem: Problem | undefined,
    userId: string,
  ) => {
    const kind = CUSTOMER_PROBLEM_KINDS[code];
    expect(problem?.severity, userId).toBe(kind.severity);
    if (kind.fix) expect(problem?.fix, userId).toBe(kind.fix);
  };

  describe('every health code is reported on the user the seed broke that way', () => {
    it.each(CUSTOMER_HEALTH_CODES)('%s', async (code) => {
      for (const userId of plantedWith(code)) {
        const { status, body } = await get<HealthBody>(`/api/users/${userId}/health`);
        expect(status).toBe(200);
        expect(
          body.problems.map((p) => p.code),
          userId,
        ).toContain(code);
        const problem = body.problems.find((p) => p.code === code);
        expect(problem?.message.length).toBeGreaterThan(20);
        expectKindAgrees(code, problem, userId);
      }
    });
  });

  describe('every sync code is reported against Clerk and Stripe', () => {
    it.each(CUSTOMER_SYNC_CODES)('%s', async (code) => {
      for (const userId of plantedWith(code)) {
        const { status, body } = await get<SyncBody>(`/api/users/${userId}/sync`);
        expect(status, userId).toBe(200);
        expect(
          body.problems.map((p) => p.code),
          userId,
        ).toContain(code);
        expectKindAgrees(
          code,
          body.problems.find((p) => p.code === code),
          userId,
        );
      }
    });
  });

  it('finds healthy users healthy and in sync, including the traps (seconds updatedAt, extra fields)', async () => {
    const healthy = Object.entries(harness.seed.planted.users)
      .filter(([, codes]) => codes.length === 0)
      .map(([userId]) => userId)
      .slice(0, 20);
    const traps = [...harness.seed.planted.traps.updatedAtSeconds, ...harness.seed.planted.traps.extraFields];
    for (const userId of [...healthy, ...traps]) {
      const health = await get<HealthBody>(`/api/users/${userId}/health`);
      expect(health.body.problems, userId).toEqual([]);
      expect(health.body.healthy).toBe(true);
      const sync = await get<SyncBody>(`/api/users/${userId}/sync`);
      expect(sync.body.problems, userId).toEqual([]);
      expect(sync.body.inSync).toBe(true);
    }
  });

  it('answers check-kv-sync with booleans only, true for a healthy user', async () => {
    const healthy = Object.entries(harness.seed.planted.users).find(([, codes]) => codes.length === 0)?.[0];
    const broken = plantedWith('MAPPING_MALFORMED')[0];
    const ok = await get<{ isInSync: boolean; debug: Record<string, unknown> }>(
      `/api/user/check-kv-sync?userId=${healthy}`,
    );
    expect(ok.body).toEqual({
      isInSync: true,
      debug: {
        hasCustomerId: true,
        hasCustomerData: true,
        customerId: expect.stringMatching(/^cus_/),
        basicDataInSync: true,
        stripeDataInSync: true,
      },
    });
    const bad = await get<{ isInSync: boolean; debug: Record<string, unknown> }>(
      `/api/user/check-kv-sync?userId=${broken}`,
    );
    expect(bad.body.isInSync).toBe(false);
    for (const flag of ['hasCustomerId', 'hasCustomerData', 'basicDataInSync', 'stripeDataInSync']) {
      expect(typeof bad.body.debug[flag]).toBe('boolean');
    }
  });

  describe('repairs', () => {
    beforeEach(async () => {
      // each repair test starts from the seeded cache and upstreams
      await harness.services.redis.flushall();
      const { writeSeedToRedis } = await import('../src/sandbox/seed');
      await writeSeedToRedis(harness.services.redis, harness.seed.redisWrites);
    });

    it('dry run plans every key and writes nothing', async () => {
      const userId = plantedWith('SUBSCRIPTION_MISSING')[0] as string;
      const before = await harness.snapshot();
      const { status, body } = await refresh(userId, true);
      expect(status).toBe(200);
      expect(body.applied).toBe(false);
      expect(body.auditId).toBeNull();
      const customerId = harness.seed.planted.customerIds[userId];
      const planned = body.plan.map((write) => write.key);
      expect(planned).toEqual(expect.arrayContaining([`user:${userId}`, `customer:${customerId}`]));
      expect(planned.some((key) => key.startsWith('email:'))).toBe(true);
      expect(planned.some((key) => key.startsWith('subscription:'))).toBe(true);
      expect(await harness.snapshot()).toEqual(before);
    });

    it.each([
      'CUSTOMER_MISSING',
      'FIELDS_MISSING',
      'SUBSCRIPTION_MISSING',
      'NO_TTL',
      'SUBSCRIPTIONS_STALE',
      'NAME_MISMATCH_CLERK',
    ])(
      'refresh repairs %s: healthy and in sync afterwards; undo restores byte-identical values and TTLs',
      async (code) => {
        const userId = plantedWith(code)[0] as string;
        const before = appKeys(await harness.snapshot());
        const ttlsBefore = await Promise.all(
          Object.keys(before).map(async (key) => [key, await harness.services.redis.ttl(key)] as const),
        );
        const { status, body } = await refresh(userId);
        expect(status).toBe(200);
        expect(body.applied).toBe(true);
        const health = await get<HealthBody>(`/api/users/${userId}/health`);
        expect(health.body.problems).toEqual([]);
        const sync = await get<SyncBody>(`/api/users/${userId}/sync`);
        expect(sync.body.inSync).toBe(true);

        const undo = await harness.request('POST', `/api/audit/${body.auditId}/undo`, { role: 'ops' });
        expect(undo.status).toBe(200);
        expect(appKeys(await harness.snapshot())).toEqual(before);
        for (const [key, ttl] of ttlsBefore) {
          const now = await harness.services.redis.ttl(key);
          if (ttl === -1) expect(now, key).toBe(-1);
          else expect(Math.abs(now - ttl), key).toBeLessThanOrEqual(2);
        }
        const again = await harness.request('POST', `/api/audit/${body.auditId}/undo`, { role: 'ops' });
        expect(again.status).toBe(409);
      },
    );

    it('keeps fields the app added that Cache Doctor does not know', async () => {
      const userId = harness.seed.planted.traps.extraFields[0] as string;
      const customerKey = `customer:${harness.seed.planted.customerIds[userId]}`;
      const stored = JSON.parse((await harness.services.redis.get(customerKey)) ?? '{}') as Record<
        string,
        unknown
      >;
      const known = new Set([
        'stripeCustomerId',
        'email',
        'userId',
        'name',
        'subscriptions',
        'defaultPaymentMethod',
        'created',
        'updatedAt',
      ]);
      const extra = Object.keys(stored).filter((field) => !known.has(field));
      expect(extra.length).toBeGreaterThan(0);
      // a stale name, so the refresh has something to change (an up-to-date record is not rewritten)
      await harness.services.redis.set(
        customerKey,
        JSON.stringify({ ...stored, name: 'Stale Name' }),
        'KEEPTTL',
      );
      expect((await refresh(userId)).body.applied).toBe(true);
      const after = JSON.parse((await harness.services.redis.get(customerKey)) ?? '{}') as Record<
        string,
        unknown
      >;
      for (const field of extra) expect(after[field], field).toEqual(stored[field]);
    });

    it('never leaves mapping and record disagreeing when refreshes and an app write race', async () => {
      const userId = plantedWith('CUSTOMER_ID_MISMATCH')[0] as string;
      const customerId = harness.seed.planted.customerIds[userId] as string;
      const appWrite = async () => {
        // the app's own refresh path: record first, then mapping, in one MULTI as the app does
        const record = await harness.services.redis.get(`customer:${customerId}`);
        await harness.services.redis
          .multi()
          .set(`customer:${customerId}`, record ?? '{}', 'EX', 86400)
          .set(`user:${userId}`, customerId, 'EX', 86400)
          .exec();
      };
      const results = await Promise.all([refresh(userId), refresh(userId), appWrite(), refresh(userId)]);
      for (const result of results) if (result) expect([200, 409]).toContain(result.status);
      const mapping = await harness.services.redis.get(`user:${userId}`);
      const record = JSON.parse((await harness.services.redis.get(`customer:${mapping}`)) ?? 'null') as {
        stripeCustomerId?: string;
        userId?: string;
      } | null;
      expect(record?.stripeCustomerId).toBe(mapping);
      expect(record?.userId).toBe(userId);
    });

    it('writes nothing when Stripe fails mid-refresh', async () => {
      const userId = plantedWith('CUSTOMER_MISSING')[0] as string;
      const before = await harness.snapshot();
      harness.sandbox.faults.stripe.set({ serverErrorFraction: 1 });
      try {
        const response = await harness.request('POST', `/api/users/${userId}/refresh`, {
          role: 'ops',
          body: {},
        });
        expect(response.status).toBe(502);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_ERROR');
      } finally {
        harness.sandbox.faults.stripe.reset();
      }
      expect(await harness.snapshot()).toEqual(before);
    });

    it('refuses to cache when Stripe has no customer for the user', async () => {
      const userId = plantedWith('NO_STRIPE_CUSTOMER')[0] as string;
      const { status } = await refresh(userId);
      expect(status).toBe(422);
    });

    it('lets ops undo only their own change; admin any', async () => {
      const userId = plantedWith('CUSTOMER_MISSING')[0] as string;
      const { body } = await refresh(userId);
      const otherOps = await harness.request('POST', `/api/audit/${body.auditId}/undo`, { role: 'support' });
      expect(otherOps.status).toBe(403);
      const admin = await harness.request('POST', `/api/audit/${body.auditId}/undo`, { role: 'admin' });
      expect(admin.status).toBe(200);
      const log = await get<{ entries: Array<{ action: string; actor: string; undoOf?: string }> }>(
        '/api/audit?limit=2',
      );
      expect(log.body.entries[0]).toMatchObject({ action: 'undo', actor: 'Ada Admin', undoOf: body.auditId });
      expect(log.body.entries[1]).toMatchObject({ action: 'refresh', actor: 'Olivia Ops' });
    });

    it('names the user an audit entry touched by email and name (issue #21), and no one for other targets', async () => {
      const userId = plantedWith('NAME_MISMATCH_CLERK')[0] as string;
      const { body } = await refresh(userId);
      const customerId = harness.seed.planted.customerIds[userId];
      const record = JSON.parse((await harness.services.redis.get(`customer:${customerId}`)) ?? '{}') as {
        email?: string;
        name?: string;
      };
      expect(record.email).toMatch(/@/);
      type Entry = {
        id: string;
        target: string;
        person: { email: string | null; name: string | null } | null;
      };
      const log = await get<{ entries: Entry[] }>(`/api/audit?target=${userId}`);
      const entry = log.body.entries.find((candidate) => candidate.id === body.auditId);
      expect(entry?.person).toEqual({ email: record.email, name: record.name ?? null });

      const change = await harness.request('PUT', '/api/policies/refresh-drifted', {
        role: 'admin',
        body: { maxPerHour: 5 },
      });
      expect(change.status).toBe(200);
      const policies = await get<{ entries: Entry[] }>('/api/audit?target=policy:');
      expect(policies.body.entries.length).toBeGreaterThan(0);
      for (const other of policies.body.entries) expect(other.person).toBeNull();
    });

    it('answers 409 with both versions when the keys changed since the change', async () => {
      const userId = plantedWith('CUSTOMER_MISSING')[0] as string;
      const { body } = await refresh(userId);
      await harness.services.redis.set(`user:${userId}`, 'cus_changedByTheApp', 'KEEPTTL');
      const response = await harness.request('POST', `/api/audit/${body.auditId}/undo`, { role: 'ops' });
      expect(response.status).toBe(409);
      const error = (
        (await response.json()) as { error: { code: string; details: { expected: object; current: object } } }
      ).error;
      expect(error.code).toBe('UNDO_CONFLICT');
      expect(error.details.current).toMatchObject({ [`user:${userId}`]: 'cus_changedByTheApp' });
      expect(error.details.expected).toHaveProperty(`user:${userId}`);
    });
  });

  it('reads the customer from the cache, and from Stripe when the cache misses', async () => {
    const healthy = Object.entries(harness.seed.planted.users).find(([, codes]) => codes.length === 0)?.[0];
    const cached = await get<{ source: string; customer: { stripeCustomerId: string } }>(
      `/api/users/${healthy}/customer`,
    );
    expect(cached.body.source).toBe('cache');
    const missing = plantedWith('MAPPING_MISSING')[0];
    const fallback = await get<{ source: string; customer: { stripeCustomerId: string } }>(
      `/api/users/${missing}/customer`,
    );
    expect(fallback.status).toBe(200);
    expect(fallback.body.source).toBe('stripe');
    expect(fallback.body.customer.stripeCustomerId).toMatch(/^cus_/);
  });

  it('rejects bad ids with 400 INVALID_ID before any I/O', async () => {
    const before =
      harness.sandbox.counters.clerk.snapshot().requests +
      harness.sandbox.counters.stripe.snapshot().requests;
    for (const path of [
      '/api/users/not-a-user/health',
      '/api/users/user_%2F..%2Fx/sync',
      `/api/users/user_${'a'.repeat(300)}/health`,
      '/api/user/check-kv-sync?userId=cus_123',
    ]) {
      const response = await harness.request('GET', path, { role: 'support' });
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_ID');
    }
    const after =
      harness.sandbox.counters.clerk.snapshot().requests +
      harness.sandbox.counters.stripe.snapshot().requests;
    expect(after).toBe(before);
  });

  it('answers 404 USER_NOT_FOUND for a user nobody knows', async () => {
    for (const path of ['/api/users/user_nobody123/health', '/api/users/user_nobody123/sync']) {
      const response = await harness.request('GET', path, { role: 'support' });
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('USER_NOT_FOUND');
    }
    const refreshUnknown = await harness.request('POST', '/api/users/user_nobody123/refresh', {
      role: 'ops',
      body: {},
    });
    expect(refreshUnknown.status).toBe(404);
  });

  it('cli user reports and refreshes by email, audited as the CLI actor', async () => {
    const userId = plantedWith('SUBSCRIPTION_MISSING')[1] as string;
    const user = harness.seed.dataset.clerkUsers.find((candidate) => candidate.id === userId);
    const email = user?.email_addresses[0]?.email_address as string;

    // SPEC §10: exit 3 while the user still has problems
    const report = await harness.cli(['user', email]);
    expect(report.code).toBe(3);
    expect(report.out).toContain('Cache health: Problems');
    expect(report.out).toContain('SUBSCRIPTION_MISSING');

    const before = await harness.snapshot();
    const dryRun = await harness.cli(['user', userId, '--refresh', '--dry-run', '--json']);
    expect(dryRun.code).toBe(3);
    expect((JSON.parse(dryRun.out) as { refresh: RefreshBody }).refresh.applied).toBe(false);
    expect(await harness.snapshot()).toEqual(before);

    // the plan is printed; without --yes (and no terminal to ask) nothing is written
    const unconfirmed = await harness.cli(['user', userId, '--refresh']);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.out).toContain('Planned writes');
    // what will be written, field by field, as the pages show it: the missing subscription's record
    const missing = /subscription:(sub_\w+) +missing/.exec(report.out)?.[1] as string;
    expect(unconfirmed.out).toContain(`+ new: subscription:${missing}\n      id: (none) → ${missing}\n`);
    expect(unconfirmed.out).toMatch(
      /currentPeriodEnd: \(none\) → \d{10} \(\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)/,
    );
    expect(unconfirmed.err).toContain('add --yes');
    expect(await harness.snapshot()).toEqual(before);

    const applied = await harness.cli(['user', userId, '--refresh', '--yes', '--json'], 'cli:alice');
    const { refresh: result } = JSON.parse(applied.out) as { refresh: RefreshBody };
    expect(result.applied).toBe(true);
    expect(await harness.services.audit.get(result.auditId as string)).toMatchObject({
      actor: 'cli:alice',
      action: 'refresh',
    });
    const healed = await harness.cli(['user', userId]);
    expect(healed.out).toContain('Cache health: Healthy');
    expect(healed.code).toBe(0);

    expect((await harness.cli(['user', 'someone'])).code).toBe(2);
    expect((await harness.cli(['user', userId, '--dry-run'])).code).toBe(2);
  });

  it('searches by exact id, email, and name', async () => {
    const userId = Object.entries(harness.seed.planted.users).find(
      ([, codes]) => codes.length === 0,
    )?.[0] as string;
    const user = harness.seed.dataset.clerkUsers.find((candidate) => candidate.id === userId);
    const email = user?.email_addresses[0]?.email_address as string;
    const byId = await get<{ results: Array<{ kind: string; id: string }> }>(`/api/search?q=${userId}`);
    expect(byId.body.results).toEqual([expect.objectContaining({ kind: 'user', id: userId })]);
    const byEmail = await get<{ results: Array<{ kind: string; id: string }> }>(
      `/api/search?q=${encodeURIComponent(email)}`,
    );
    expect(byEmail.body.results[0]).toMatchObject({ kind: 'user', id: userId });
    const byName = await get<{ results: Array<{ id: string }> }>(
      `/api/search?q=${encodeURIComponent(user?.last_name ?? '')}`,
    );
    expect(byName.body.results.map((result) => result.id)).toContain(userId);
    const customerId = harness.seed.planted.customerIds[userId] as string;
    const byCustomer = await get<{ results: Array<{ kind: string; userId?: string }> }>(
      `/api/search?q=${customerId}`,
    );
    expect(byCustomer.body.results[0]).toMatchObject({ kind: 'customer', userId });
  });
});
