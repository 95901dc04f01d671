import {
  type AuditEntry,
  FIX_SESSION_ERROR_MESSAGE,
  SESSION_TTL_SECONDS,
  type SessionCode,
  type Staff,
} from '@cache-doctor/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlantedLayout } from '../src/sandbox/seed';
import { type FixResult, fixSession } from '../src/services/session-fix';
import type { GenerateResult } from '../src/services/session-generate';
import type { SessionInspection } from '../src/services/session-inspect';
import { type Harness, startHarness } from './harness';

/**
 * Fix and generate (SPEC §3, §6.3, §6.4) on real redis-server + the sandbox upstreams: exact
 * writes, 409s, idempotency counted at the generation API, failure recorded, undo. Each test takes
 * its own seeded sessions, so they do not depend on each other's writes.
 */

type Body = { error?: { code: string; message: string } } & Record<string, unknown>;

const OPS: Staff = { id: 'Olivia Ops', name: 'Olivia Ops', role: 'ops' };

describe('sessions: fix and generate', () => {
  let harness: Harness;
  const taken = new Set<string>();

  /** A seeded session nobody else in this file has used. */
  function take(code: SessionCode, layout: PlantedLayout): string {
    const found = Object.entries(harness.seed.planted.sessions).find(
      ([id, planted]) => planted.code === code && planted.layout === layout && !taken.has(id),
    );
    if (!found) throw new Error(`the seed has no unused ${code} session in the ${layout} layout`);
    taken.add(found[0]);
    return found[0];
  }

  const post = async (path: string, role: 'ops' | 'support' | 'admin' = 'ops') => {
    const response = await harness.request('POST', path, { role });
    return { status: response.status, body: (await response.json()) as Body };
  };
  const inspect = async (sessionId: string) =>
    (await (
      await harness.request('GET', `/api/sessions/${sessionId}`, { role: 'support' })
    ).json()) as SessionInspection;
  /** POSTs to start a video (reads of a file's state are not starts) */
  const generateCalls = () =>
    harness.sandbox.counters.generation.snapshot().routes['POST /api/v1/file/generate-video'] ?? 0;
  const raw = (key: string) => harness.services.redis.get(key);
  const ttl = (key: string) => harness.services.redis.ttl(key);

  /** Keys that changed between two snapshots, Cache Doctor's own (audit, locks) left out. */
  function changedKeys(before: Record<string, string>, after: Record<string, string>): string[] {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].filter((key) => !key.startsWith('cache-doctor:') && before[key] !== after[key]).sort();
  }

  beforeAll(async () => {
    harness = await startHarness({ users: 600 });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('fix (three-key) creates webhook: with the error status and merges the timestamp into session:; a second fix is 409', async () => {
    const sessionId = take('WEBHOOK_MISSING', 'three-key');
    const promptBefore = await raw(`prompt:${sessionId}`);
    const before = await harness.snapshot();

    const fixed = await post(`/api/sessions/${sessionId}/fix`);
    expect(fixed.status).toBe(200);
    const result = fixed.body as unknown as FixResult;
    expect(result.status).toEqual({
      status: 'error',
      error: FIX_SESSION_ERROR_MESSAGE,
      timestamp: expect.any(String),
    });
    expect(result.auditId).toEqual(expect.any(String));

    expect(changedKeys(before, await harness.snapshot())).toEqual([
      `session:${sessionId}`,
      `webhook:${sessionId}`,
    ]);
    expect(JSON.parse((await raw(`webhook:${sessionId}`)) as string)).toEqual(result.status);
    expect(JSON.parse((await raw(`session:${sessionId}`)) as string)).toEqual({
      timestamp: result.status.timestamp,
    });
    expect(await ttl(`webhook:${sessionId}`)).toBeGreaterThan(SESSION_TTL_SECONDS - 60);
    expect(await raw(`prompt:${sessionId}`)).toBe(promptBefore);

    const view = await inspect(sessionId);
    expect(view.diagnosis.code).toBe('WEBHOOK_ERROR');
    expect(view.diagnosis.message).toContain(FIX_SESSION_ERROR_MESSAGE);

    const again = await post(`/api/sessions/${sessionId}/fix`);
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('STATUS_EXISTS');

    const entry = await harness.services.audit.get(result.auditId);
    expect(entry).toMatchObject({
      action: 'fix-session',
      target: sessionId,
      actor: 'Olivia Ops',
      role: 'ops',
      result: 'applied',
    });
    expect(entry?.before).toEqual({ [`webhook:${sessionId}`]: null, [`session:${sessionId}`]: null });
  });

  it('fix (session-only) keeps every field the record had and its TTL', async () => {
    const sessionId = take('WEBHOOK_MISSING', 'session-only');
    const key = `session:${sessionId}`;
    const recordBefore = JSON.parse((await raw(key)) as string) as Record<string, unknown>;
    const ttlBefore = await ttl(key);

    const fixed = await post(`/api/sessions/${sessionId}/fix`);
    expect(fixed.status).toBe(200);
    const result = fixed.body as unknown as FixResult;
    const recordAfter = JSON.parse((await raw(key)) as string) as Record<string, unknown>;
    expect(recordAfter).toEqual({ ...recordBefore, ...result.status });
    for (const [field, value] of Object.entries(recordBefore)) {
      if (field !== 'timestamp') expect(recordAfter[field]).toEqual(value);
    }
    const ttlAfter = await ttl(key);
    expect(ttlAfter).toBeLessThanOrEqual(ttlBefore);
    expect(ttlAfter).toBeGreaterThan(ttlBefore - 60);
    expect(await raw(`webhook:${sessionId}`)).toBeNull();
  });

  it('two concurrent fixes: exactly one writes, the other is 409 STATUS_EXISTS', async () => {
    const sessionId = take('WEBHOOK_MISSING', 'session-only');
    const results = await Promise.all([1, 2, 3].map(() => post(`/api/sessions/${sessionId}/fix`)));
    expect(results.map((result) => result.status).sort()).toEqual([200, 409, 409]);
    for (const result of results.filter((r) => r.status === 409))
      expect(result.body.error?.code).toBe('STATUS_EXISTS');
    const entries = await harness.services.audit.list({ limit: 50, target: sessionId });
    expect(entries.entries.filter((entry) => entry.action === 'fix-session')).toHaveLength(1);
  });

  it('fix refuses what it may not touch: no keys (404), unpaid (409), malformed (409)', async () => {
    const none = await post('/api/sessions/cs_test_NothingStoredHere1/fix');
    expect(none.status).toBe(404);
    expect(none.body.error?.code).toBe('SESSION_NOT_FOUND');

    const unpaid = take('PAYMENT_NOT_COMPLETED', 'session-only');
    const before = await raw(`session:${unpaid}`);
    const refused = await post(`/api/sessions/${unpaid}/fix`);
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('PAYMENT_NOT_COMPLETED');
    expect(await raw(`session:${unpaid}`)).toBe(before);

    const malformed = take('MALFORMED', 'session-only');
    const broken = await post(`/api/sessions/${malformed}/fix`);
    expect(broken.status).toBe(409);
    expect(broken.body.error?.code).toBe('SESSION_MALFORMED');
  });

  it('undo of a fix restores byte-identical values', async (context) => {
    const sessionId = take('WEBHOOK_MISSING', 'session-only');
    const key = `session:${sessionId}`;
    const before = await raw(key);
    const fixed = await post(`/api/sessions/${sessionId}/fix`);
    expect(fixed.status).toBe(200);
    const undo = await post(`/api/audit/${(fixed.body as unknown as FixResult).auditId}/undo`);
    if (undo.status === 404 && /No route/.test(undo.body.error?.message ?? '')) {
      context.skip('POST /api/audit/:id/undo is not there yet');
    }
    expect(undo.status).toBe(200);
    expect(await raw(key)).toBe(before);
    expect(await raw(`webhook:${sessionId}`)).toBeNull();
    expect((await inspect(sessionId)).diagnosis.code).toBe('WEBHOOK_MISSING');
  });

  it('generate calls the API once, records processing + fileId; a second click returns the same generation', async () => {
    const sessionId = take('WEBHOOK_MISSING', 'three-key');
    const prompt = JSON.parse((await raw(`prompt:${sessionId}`)) as string).prompt as string;
    const calls = generateCalls();

    const first = await post(`/api/sessions/${sessionId}/generate`);
    expect(first.status).toBe(202);
    const started = first.body as unknown as GenerateResult;
    expect(started).toMatchObject({
      sessionId,
      generationId: expect.any(String),
      auditId: expect.any(String),
      outcome: 'started',
    });
    expect(generateCalls()).toBe(calls + 1);
    const call = harness.sandbox.state.generation.calls.at(-1);
    expect(call?.fileId).toBe(started.generationId);
    expect((call?.body as { config: { prompt: string } } | undefined)?.config.prompt).toBe(prompt);

    expect(JSON.parse((await raw(`webhook:${sessionId}`)) as string)).toMatchObject({
      status: 'processing',
      fileId: started.generationId,
    });
    expect(JSON.parse((await raw(`session:${sessionId}`)) as string)).toMatchObject({
      fileId: started.generationId,
    });
    const view = await inspect(sessionId);
    expect(view.diagnosis).toMatchObject({ code: 'OK', status: 'processing' });

    const second = await post(`/api/sessions/${sessionId}/generate`);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ generationId: started.generationId, outcome: 'existing' });
    expect(generateCalls()).toBe(calls + 1);

    const entry = (await harness.services.audit.get(started.auditId as string)) as AuditEntry;
    expect(entry).toMatchObject({ action: 'generate', target: sessionId, result: 'applied' });
  });

  it('two (and five) concurrent generate requests start exactly one generation and all return it', async () => {
    for (const [count, sessionId] of [
      [2, take('WEBHOOK_MISSING', 'session-only')],
      [5, take('STUCK', 'session-only')],
    ] as const) {
      const calls = generateCalls();
      const results = await Promise.all(
        Array.from({ length: count }, () => post(`/api/sessions/${sessionId}/generate`)),
      );
      expect(generateCalls()).toBe(calls + 1);
      expect(results.map((result) => result.status).sort()).toEqual([...Array(count - 1).fill(200), 202]);
      const ids = new Set(results.map((result) => result.body.generationId));
      expect(ids.size).toBe(1);
      const record = JSON.parse((await raw(`session:${sessionId}`)) as string);
      expect(record).toMatchObject({ status: 'processing', fileId: [...ids][0] });
    }
  });

  it('while a Generate waits on the generation API, "Mark as failed" is neither offered nor applied (409 GENERATION_IN_PROGRESS), the sweep\'s fix included', async () => {
    const sessionId = take('WEBHOOK_MISSING', 'session-only');
    const before = await harness.snapshot();
    const arrived = generateCalls();
    // the sandbox holds the start this long before answering: the Generate is in flight meanwhile
    harness.sandbox.faults.generation.set({ latencyMs: 3_000 });
    let generating: Promise<Awaited<ReturnType<typeof post>>>;
    try {
      generating = post(`/api/sessions/${sessionId}/generate`);
      await expect.poll(generateCalls, { timeout: 10_000 }).toBe(arrived + 1);

      const view = await inspect(sessionId);
      expect(view.diagnosis.fixes).toContain('fix-session');
      expect(view.previews.fixSession).toBeNull();
      expect(view.previews.planIds.fixSession).toBeNull();
      expect(view.previews.fixBlocked).toMatch(/waiting on the generation API right now/);

      const preview = await harness.request('POST', `/api/sessions/${sessionId}/fix`, {
        role: 'ops',
        body: { dryRun: true },
      });
      expect(preview.status).toBe(409);
      const refusal = (await preview.json()) as Body;
      expect(refusal.error?.code).toBe('GENERATION_IN_PROGRESS');
      expect(refusal.error?.message).toMatch(/paid video may be starting.*Nothing was written/);

      const applied = await post(`/api/sessions/${sessionId}/fix`);
      expect(applied.status).toBe(409);
      expect(applied.body.error?.code).toBe('GENERATION_IN_PROGRESS');
      // what the session sweep's "fix all" calls, with Stripe's answer from its list
      const swept = await fixSession(harness.services, sessionId, OPS, {
        stripe: { status: 'complete', paymentStatus: 'paid' },
      }).then(
        () => null,
        (error: { code?: string }) => error.code,
      );
      expect(swept).toBe('GENERATION_IN_PROGRESS');
      expect(changedKeys(before, await harness.snapshot())).toEqual([]);
    } finally {
      harness.sandbox.faults.generation.reset();
    }
    const generated = await generating;
    expect(generated.status).toBe(202);
    expect(JSON.parse((await raw(`session:${sessionId}`)) as string)).toMatchObject({
      status: 'processing',
      fileId: generated.body.generationId,
    });
    // the generation is recorded: now the session's own status answers
    const late = await post(`/api/sessions/${sessionId}/fix`);
    expect(late.status).toBe(409);
    expect(late.body.error?.code).toBe('STATUS_EXISTS');
  });

  it('generate on an unpaid session is 409 PAYMENT_NOT_COMPLETED with zero calls to the API', async () => {
    for (const layout of ['three-key', 'session-only'] as const) {
      const sessionId = take('PAYMENT_NOT_COMPLETED', layout);
      const before = await harness.snapshot();
      const calls = generateCalls();
      const refused = await post(`/api/sessions/${sessionId}/generate`);
      expect(refused.status).toBe(409);
      expect(refused.body.error?.code).toBe('PAYMENT_NOT_COMPLETED');
      expect(generateCalls()).toBe(calls);
      expect(changedKeys(before, await harness.snapshot())).toEqual([]);
    }
    const support = await post(`/api/sessions/${take('WEBHOOK_MISSING', 'three-key')}/generate`, 'support');
    expect(support.status).toBe(403);
  });

  it('generation API refusing: one call, 502 with its words, nothing written to the session, audited as failed', async () => {
    const sessionId = take('STUCK', 'three-key');
    const calls = generateCalls();
    const before = await harness.snapshot();
    harness.sandbox.faults.generation.set({ serverErrorFraction: 1 });
    let failed: Awaited<ReturnType<typeof post>>;
    try {
      failed = await post(`/api/sessions/${sessionId}/generate`);
    } finally {
      harness.sandbox.faults.generation.reset();
    }
    expect(failed.status).toBe(502);
    expect(failed.body.error?.code).toBe('UPSTREAM_ERROR');
    expect(failed.body.error?.message).toContain('Generation service failed (sandbox fault)');
    expect(generateCalls()).toBe(calls + 1);

    // no error text of ours, nor of the failed call, lands in the customer's record
    expect(changedKeys(before, await harness.snapshot())).toEqual([]);
    const view = await inspect(sessionId);
    expect(view.diagnosis.code).toBe('STUCK');
    const audit = await harness.services.audit.list({ limit: 10, target: sessionId });
    expect(audit.entries[0]).toMatchObject({ action: 'generate', result: 'failed' });
    expect(audit.entries[0]?.message).toContain('Generation service failed (sandbox fault)');
  });

  it('cli session --fix / --generate act through the same services, audited as cli:<user> (admin)', async () => {
    const fixId = take('WEBHOOK_MISSING', 'three-key');
    const fix = await harness.cli(['session', fixId, '--fix', '--yes', '--json']);
    // marked failed: the customer still has no video, so problems remain (exit 3)
    expect(fix.code).toBe(3);
    const fixed = JSON.parse(fix.out) as { fix: FixResult; after: SessionInspection };
    expect(fixed.after.diagnosis.code).toBe('WEBHOOK_ERROR');
    expect(await harness.services.audit.get(fixed.fix.auditId)).toMatchObject({
      actor: 'cli:tester',
      role: 'admin',
    });

    const again = await harness.cli(['session', fixId, '--fix', '--yes']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('error STATUS_EXISTS');

    const calls = generateCalls();
    const generate = await harness.cli(['session', fixId, '--generate', '--yes']);
    expect(generate.code).toBe(0);
    expect(generate.out).toMatch(/Generation file_\w+ started/);
    expect(generateCalls()).toBe(calls + 1);

    // a generation exists: nothing to confirm, so nothing is started, and it says so (exit 1)
    const before = await harness.snapshot();
    const existing = await harness.cli(['session', fixId, '--generate', '--yes']);
    expect(existing.code).toBe(1);
    expect(existing.out).toMatch(/Generation file_\w+ had already been started; nothing new was started/);
    const asJson = await harness.cli(['session', fixId, '--generate', '--json']);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.out)).toMatchObject({
      applied: false,
      generate: { existingGenerationId: expect.stringMatching(/^file_/), started: false },
    });
    expect(generateCalls()).toBe(calls + 1);
    expect(changedKeys(before, await harness.snapshot())).toEqual([]);
  });
});
