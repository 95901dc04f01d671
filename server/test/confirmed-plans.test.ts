import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobWorker, startJobWorker } from '../src/jobs/runner';
import { type Harness, startHarness } from './harness';

/** Issue 17: every write is the plan the person confirmed, or nothing; bodies are JSON or refused. */

interface PlanBody {
  plan: Array<{ key: string; before: string | null; after: string | null; unchanged?: boolean }>;
  planId: string;
  applied: boolean;
  upToDate?: boolean;
  auditId: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { plan: PlanBody['plan']; planId: string } };
}

describe('confirmed plans (real redis-server + sandbox)', () => {
  let harness: Harness;
  let userId: string;
  let customerId: string;

  beforeAll(async () => {
    harness = await startHarness({ users: 200 });
    const [healthy] = Object.entries(harness.seed.planted.users).filter(
      ([id, codes]) => codes.length === 0 && harness.seed.planted.customerIds[id],
    );
    userId = healthy?.[0] as string;
    customerId = harness.seed.planted.customerIds[userId] as string;
  });
  afterAll(async () => {
    await harness.close();
  });

  const refresh = async (body: unknown) => {
    const response = await harness.request('POST', `/api/users/${userId}/refresh`, { role: 'ops', body });
    return { status: response.status, body: (await response.json()) as PlanBody & ErrorBody };
  };
  /** what a person does in Stripe's dashboard: rename the customer */
  const renameInStripe = async (name: string) => {
    const response = await fetch(`${harness.sandbox.stripeUrl}/v1/customers/${customerId}`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk_test_harness',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ name }),
    });
    expect(response.status).toBe(200);
  };

  it('a refresh whose only difference would be updatedAt is up to date, and applying it writes nothing', async () => {
    const preview = await refresh({ dryRun: true });
    expect(preview.status).toBe(200);
    expect(preview.body.upToDate).toBe(true);
    const before = await harness.snapshot();
    const apply = await refresh({ planId: preview.body.planId });
    expect(apply.status).toBe(200);
    expect(apply.body).toMatchObject({ applied: false, upToDate: true, auditId: null });
    expect(await harness.snapshot()).toEqual(before);
  });

  it('refuses the confirmed plan when Stripe changed since the preview, writing nothing; the new plan is written exactly', async () => {
    await renameInStripe('First Rename');
    const preview = await refresh({ dryRun: true });
    expect(preview.body.upToDate).toBe(false);
    const customerKey = harness.services.keys.customer(customerId);
    expect(preview.body.plan.find((write) => write.key === customerKey)?.after).toContain('First Rename');

    await renameInStripe('Second Rename');
    const before = await harness.snapshot();
    const stale = await refresh({ planId: preview.body.planId });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('PLAN_CHANGED');
    const newPlan = stale.body.error.details;
    expect(newPlan?.planId).not.toBe(preview.body.planId);
    expect(newPlan?.plan.find((write) => write.key === customerKey)?.after).toContain('Second Rename');
    expect(await harness.snapshot()).toEqual(before);

    // the second confirmation: exactly the plan shown is written
    const applied = await refresh({ planId: newPlan?.planId });
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toBe(true);
    for (const write of newPlan?.plan ?? []) {
      const stored = await harness.services.redis.get(write.key);
      if (write.key === customerKey) {
        // updatedAt is stamped when the write happens; every other field is what was shown
        const { updatedAt: _shown, ...shown } = JSON.parse(write.after as string);
        const { updatedAt: _stored, ...written } = JSON.parse(stored as string);
        expect(written).toEqual(shown);
      } else expect(stored).toBe(write.after);
    }
  });

  it('previews an undo counting only the keys it really restores, and applies only the plan confirmed', async () => {
    await renameInStripe('Undo Me');
    const refreshed = await refresh({});
    expect(refreshed.body.applied).toBe(true);
    const auditId = refreshed.body.auditId as string;
    const customerKey = harness.services.keys.customer(customerId);
    const undo = async (body: unknown) => {
      const response = await harness.request('POST', `/api/audit/${auditId}/undo`, { role: 'ops', body });
      return {
        status: response.status,
        body: (await response.json()) as PlanBody & ErrorBody & { restored: string[] },
      };
    };

    const preview = await undo({ dryRun: true });
    expect(preview.status).toBe(200);
    // the rename changed one key; the other keys were only rewritten with a fresh expiry
    expect(preview.body.restored).toEqual([customerKey]);
    expect(preview.body.plan.length).toBeGreaterThan(1);

    const left = (await harness.services.redis.get(customerKey)) as string;
    await harness.services.redis.set(customerKey, `${left} `, 'KEEPTTL');
    const before = await harness.snapshot();
    const stale = await undo({ planId: preview.body.planId });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('PLAN_CHANGED');
    expect(await harness.snapshot()).toEqual(before);

    // the other write is taken back; a fresh preview is the same plan again, and applying it restores
    await harness.services.redis.set(customerKey, left, 'KEEPTTL');
    const again = await undo({ dryRun: true });
    expect(again.body.planId).toBe(preview.body.planId);
    const applied = await undo({ planId: again.body.planId });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ applied: true, restored: [customerKey] });
    for (const write of again.body.plan)
      expect(await harness.services.redis.get(write.key)).toBe(write.after);
  });

  /** a seeded paid session with no status, not used by another test here */
  const usedSessions = new Set<string>();
  const unprocessedSession = () => {
    const found = Object.entries(harness.seed.planted.sessions).find(
      ([id, planted]) =>
        planted.code === 'WEBHOOK_MISSING' && planted.layout !== 'none' && !usedSessions.has(id),
    );
    if (!found) throw new Error('the seed has no unused WEBHOOK_MISSING three-key session');
    usedSessions.add(found[0]);
    return found[0];
  };
  const sessionAction = async (sessionId: string, action: 'fix' | 'generate', body: unknown) => {
    const response = await harness.request('POST', `/api/sessions/${sessionId}/${action}`, {
      role: 'ops',
      body,
    });
    return {
      status: response.status,
      body: (await response.json()) as ErrorBody & {
        planId: string;
        writes: Array<{ key: string; after: string }>;
        generationId?: string;
        error?: ErrorBody['error'] & { details?: { refusal?: { code: string } } };
      },
    };
  };
  const generateCalls = () =>
    harness.sandbox.counters.generation.snapshot().routes['POST /api/v1/file/generate-video'] ?? 0;
  /** the app records a status meanwhile, where its layout keeps it (merged, as the app does) */
  const statusArrives = async (sessionId: string, fields: object) => {
    const { layout } = harness.seed.planted.sessions[sessionId] as { layout: string };
    const { keys, redis } = harness.services;
    const key = layout === 'session-only' ? keys.session(sessionId) : keys.webhook(sessionId);
    const current = JSON.parse((await redis.get(key)) ?? '{}') as object;
    await redis.set(
      key,
      JSON.stringify({ ...current, ...fields, timestamp: new Date().toISOString() }),
      'EX',
      3600,
    );
    return key;
  };
  /** the app writes its own field into the session lookup meanwhile */
  const appTouchesSession = async (sessionId: string) => {
    const key = harness.services.keys.session(sessionId);
    const current = JSON.parse((await harness.services.redis.get(key)) ?? '{}') as object;
    await harness.services.redis.set(key, JSON.stringify({ ...current, source: 'app' }), 'KEEPTTL');
  };

  it('Fix session: a status arriving after the preview answers PLAN_CHANGED with the reason, writing nothing', async () => {
    const sessionId = unprocessedSession();
    const preview = await sessionAction(sessionId, 'fix', { dryRun: true });
    expect(preview.status).toBe(200);
    const inspected = (await (
      await harness.request('GET', `/api/sessions/${sessionId}`, { role: 'support' })
    ).json()) as { previews: { planIds: { fixSession: string } } };
    expect(inspected.previews.planIds.fixSession).toBe(preview.body.planId);

    await statusArrives(sessionId, { status: 'processing', fileId: 'file_app' });
    const before = await harness.snapshot();
    const stale = await sessionAction(sessionId, 'fix', { planId: preview.body.planId });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.code).toBe('PLAN_CHANGED');
    expect(stale.body.error?.details?.refusal?.code).toBe('STATUS_EXISTS');
    expect(await harness.snapshot()).toEqual(before);
  });

  it('Fix session: a changed record after the preview answers PLAN_CHANGED; the fresh plan is written exactly', async () => {
    const sessionId = unprocessedSession();
    const preview = await sessionAction(sessionId, 'fix', { dryRun: true });
    await appTouchesSession(sessionId);
    const before = await harness.snapshot();
    const stale = await sessionAction(sessionId, 'fix', { planId: preview.body.planId });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.code).toBe('PLAN_CHANGED');
    expect(await harness.snapshot()).toEqual(before);

    const fresh = await sessionAction(sessionId, 'fix', { dryRun: true });
    const applied = await sessionAction(sessionId, 'fix', { planId: fresh.body.planId });
    expect(applied.status).toBe(200);
    expect(applied.body.planId).toBe(fresh.body.planId);
    const stamp = (raw: string) => raw.replace(/"timestamp":"[^"]*"/, '"timestamp":"T"');
    for (const write of fresh.body.writes)
      expect(stamp((await harness.services.redis.get(write.key)) as string)).toBe(stamp(write.after));
    expect(await harness.services.redis.get(harness.services.keys.session(sessionId))).toContain(
      '"source":"app"',
    );
  });

  it('Generate: an error status arriving after the preview answers PLAN_CHANGED before any paid call; the fresh plan starts one video', async () => {
    const sessionId = unprocessedSession();
    const preview = await sessionAction(sessionId, 'generate', { dryRun: true });
    expect(preview.status).toBe(200);
    const webhookKey = await statusArrives(sessionId, { status: 'error', error: 'Webhook timed out' });
    const calls = generateCalls();
    const before = await harness.snapshot();
    const stale = await sessionAction(sessionId, 'generate', { planId: preview.body.planId });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.code).toBe('PLAN_CHANGED');
    expect(generateCalls()).toBe(calls);
    // the generation lock is released, nothing else changed
    expect(await harness.snapshot()).toEqual(before);

    const fresh = await sessionAction(sessionId, 'generate', { dryRun: true });
    expect(fresh.body.planId).not.toBe(preview.body.planId);
    const started = await sessionAction(sessionId, 'generate', { planId: fresh.body.planId });
    expect(started.status).toBe(202);
    expect(generateCalls()).toBe(calls + 1);
    const webhook = JSON.parse((await harness.services.redis.get(webhookKey)) as string) as Record<
      string,
      unknown
    >;
    expect(webhook).toMatchObject({ status: 'processing', fileId: started.body.generationId });
    // the failure's message no longer applies to the new generation
    expect(webhook).not.toHaveProperty('error');
  });

  it('bulk refresh: a Stripe change after the preview answers PLAN_CHANGED and starts nothing; the fresh plan runs', async () => {
    const others = Object.keys(harness.seed.planted.users)
      .filter(
        (id) =>
          id !== userId &&
          harness.seed.planted.users[id]?.length === 0 &&
          harness.seed.planted.customerIds[id],
      )
      .slice(0, 3);
    const job = { type: 'bulk-refresh', userIds: [userId, ...others] };
    const start = async (body: object) => {
      const response = await harness.request('POST', '/api/jobs', { role: 'ops', body: { ...job, ...body } });
      return {
        status: response.status,
        body: (await response.json()) as ErrorBody & {
          jobId: string | null;
          planId: string;
          plan: { users: Array<{ userId: string; upToDate: boolean }> };
        },
      };
    };
    const preview = await start({ dryRun: true });
    expect(preview.status).toBe(200);
    expect(preview.body.jobId).toBeNull();
    expect(preview.body.plan.users.map((user) => user.userId).sort()).toEqual([...job.userIds].sort());

    await renameInStripe('Bulk Renamed');
    const before = await harness.snapshot();
    const stale = await start({ planId: preview.body.planId });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('PLAN_CHANGED');
    // no job was created, no key written
    expect(await harness.snapshot()).toEqual(before);

    const fresh = await start({ dryRun: true });
    expect(fresh.body.plan.users.find((user) => user.userId === userId)?.upToDate).toBe(false);
    const started = await start({ planId: fresh.body.planId });
    expect(started.status).toBe(202);
    let worker: JobWorker | undefined;
    try {
      worker = await startJobWorker(harness.services, { concurrency: 2 });
      const customerKey = harness.services.keys.customer(customerId);
      for (
        let waited = 0;
        !(await harness.services.redis.get(customerKey))?.includes('Bulk Renamed');
        waited += 1
      ) {
        if (waited > 600) throw new Error('the bulk refresh did not write the new plan within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await worker?.close();
    }
  });

  it('rebuild previews how many Clerk users it will touch', async () => {
    const response = await harness.request('POST', '/api/jobs', {
      role: 'admin',
      body: { type: 'rebuild', dryRun: true },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { plan: { users: number }; planId: string };
    expect(body.plan.users).toBe(harness.seed.dataset.clerkUsers.length);
  });

  it('refuses a made-up planId the same way, with the real plan to confirm', async () => {
    const before = await harness.snapshot();
    const refused = await refresh({ planId: 'f'.repeat(64) });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('PLAN_CHANGED');
    expect(refused.body.error.details?.planId).toMatch(/^[0-9a-f]{64}$/);
    expect(await harness.snapshot()).toEqual(before);
  });

  it('answers 415 to {"dryRun":true} sent as text/plain, a form, multipart or with no content type, writing nothing', async () => {
    await renameInStripe('Would Be Written');
    const before = await harness.snapshot();
    const multipart = new FormData();
    multipart.set('dryRun', 'true');
    const bodies: Array<{ label: string; init: RequestInit }> = [
      { label: 'text/plain', init: { body: '{"dryRun":true}', headers: { 'content-type': 'text/plain' } } },
      {
        label: 'form',
        init: {
          body: '{"dryRun":true}',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      },
      { label: 'multipart', init: { body: multipart } },
      { label: 'none', init: { body: new TextEncoder().encode('{"dryRun":true}') } },
    ];
    for (const { label, init } of bodies) {
      const response = await harness.app.request(`/api/users/${userId}/refresh`, {
        method: 'POST',
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          authorization: 'Bearer ops-token-0123456789abcd',
        },
      });
      expect({ label, status: response.status }).toEqual({ label, status: 415 });
      expect(((await response.json()) as ErrorBody).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await harness.snapshot()).toEqual(before);
    // a preview that is not a boolean is refused too, not applied
    expect((await refresh({ dryRun: 'garbage' })).status).toBe(400);
    expect(await harness.snapshot()).toEqual(before);
  });

  it('reads an empty body as {}', async () => {
    const response = await harness.app.request('/api/sessions/cs_test_unknown/fix', {
      method: 'POST',
      headers: { authorization: 'Bearer ops-token-0123456789abcd', 'content-type': 'application/json' },
    });
    // the unknown session is looked for: the body passed as {}
    expect(response.status).toBe(404);
    expect(response.status).not.toBe(415);
  });
});
