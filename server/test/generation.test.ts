import { type AuditEntry, OUTCOME_UNKNOWN_TEXT, type SessionCode, type Staff } from '@cache-doctor/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlantedLayout } from '../src/sandbox/seed';
import { fixSession } from '../src/services/session-fix';
import { type GenerateResult, generateVideo } from '../src/services/session-generate';
import type { SessionInspection } from '../src/services/session-inspect';
import { type Harness, startHarness } from './harness';

/**
 * The real fate of a paid video (issue #19) on real redis-server + the sandbox generation API:
 * what the API says decides the diagnosis, Generate after a failure starts exactly one new attempt
 * with the stored prompt byte for byte, a start whose answer never comes is never repeated
 * unasked, and without a generation API nothing is written.
 */

type Body = { error?: { code: string; message: string } } & Record<string, unknown>;
/** the start's deadline in these tests; the sandbox answers after START_LATENCY_MS to make it pass */
const START_TIMEOUT_MS = 1_000;
const START_LATENCY_MS = 2_500;
const OPS: Staff = { id: 'Olivia Ops', name: 'Olivia Ops', role: 'ops' };

function harnessHelpers(get: () => Harness) {
  const taken = new Set<string>();
  return {
    take(code: SessionCode, layout: PlantedLayout, where: (id: string) => boolean = () => true): string {
      const found = Object.entries(get().seed.planted.sessions).find(
        ([id, planted]) => planted.code === code && planted.layout === layout && !taken.has(id) && where(id),
      );
      if (!found) throw new Error(`the seed has no unused ${code} session in the ${layout} layout`);
      taken.add(found[0]);
      return found[0];
    },
    async post(path: string, body?: unknown, role: 'ops' | 'support' = 'ops') {
      const response = await get().request('POST', path, { role, ...(body !== undefined && { body }) });
      return { status: response.status, body: (await response.json()) as Body };
    },
    async inspect(sessionId: string) {
      const response = await get().request('GET', `/api/sessions/${sessionId}`, { role: 'support' });
      expect(response.status).toBe(200);
      return (await response.json()) as SessionInspection;
    },
    /** the session's status record (webhook: or the session-only session:) */
    async statusRecord(sessionId: string, layout: PlantedLayout) {
      const key = layout === 'three-key' ? `webhook:${sessionId}` : `session:${sessionId}`;
      return JSON.parse((await get().services.redis.get(key)) as string) as Record<string, unknown>;
    },
    async storedPrompt(sessionId: string, layout: PlantedLayout) {
      const key = layout === 'three-key' ? `prompt:${sessionId}` : `session:${sessionId}`;
      return (JSON.parse((await get().services.redis.get(key)) as string) as { prompt: string }).prompt;
    },
  };
}

describe('generation: file states, generate again, unknown outcomes', () => {
  let harness: Harness;
  const h = harnessHelpers(() => harness);
  const starts = () => harness.sandbox.state.generation.started.length;
  const fileOf = async (sessionId: string, layout: PlantedLayout) =>
    (await h.statusRecord(sessionId, layout)).fileId as string;
  /** failed generations whose provider error is retryable (the seed alternates with refusals) */
  const retryable = (id: string) => {
    const file = [...harness.sandbox.state.generation.files.values()].find((candidate) =>
      harness.seed.redisWrites.some((write) => write.key.endsWith(id) && write.value.includes(candidate.id)),
    );
    return file?.error?.includes('please retry') === true;
  };

  beforeAll(async () => {
    harness = await startHarness({ users: 600, env: { GENERATION_TIMEOUT_MS: String(START_TIMEOUT_MS) } });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('the unprocessed paid sessions list (and so "Generate all") includes failed and stuck generations', async () => {
    const since = new Date(Date.now() - 8 * 24 * 3600_000).toISOString();
    const response = await harness.request('GET', `/api/sessions?problem=unprocessed&since=${since}`, {
      role: 'support',
    });
    const list = (await response.json()) as {
      sessions: Array<{ sessionId: string; diagnosis: { code: string; fixes: string[] } }>;
    };
    const codeOf = new Map(list.sessions.map((row) => [row.sessionId, row.diagnosis]));
    for (const sessionId of harness.seed.planted.byCode.GENERATION_FAILED)
      expect(codeOf.get(sessionId)?.code, sessionId).toBe('GENERATION_FAILED');
    for (const sessionId of harness.seed.planted.byCode.GENERATION_STUCK)
      expect(codeOf.get(sessionId)?.code, sessionId).toBe('GENERATION_STUCK');
    const retryableRow = harness.seed.planted.byCode.GENERATION_FAILED.find(retryable) as string;
    expect(codeOf.get(retryableRow)?.fixes).toContain('generate');
    // the tests below change files at the sandbox: forget what this read kept
    const kept = await harness.services.ownRedis.keys(harness.services.keys.own('generation:file:*'));
    if (kept.length > 0) await harness.services.ownRedis.del(...kept);
  });

  for (const layout of ['three-key', 'session-only'] as const) {
    it(`${layout}: completed → OK; failed → GENERATION_FAILED; unfinished past the limit → GENERATION_STUCK; running within it → OK`, async () => {
      const completed = await h.inspect(
        h.take('OK', layout, (id) =>
          harness.seed.redisWrites.some((w) => w.key.endsWith(id) && w.value.includes('"processing"')),
        ),
      );
      expect(completed.diagnosis.code).toBe('OK');
      expect(completed.generation).toMatchObject({
        state: 'completed',
        url: expect.stringMatching(/^https:/),
      });

      const failedId = h.take('GENERATION_FAILED', layout);
      const failed = await h.inspect(failedId);
      expect(failed.diagnosis).toMatchObject({ code: 'GENERATION_FAILED', severity: 'error' });
      expect(failed.generation).toMatchObject({ fileId: await fileOf(failedId, layout), state: 'failed' });
      expect(failed.diagnosis.message).toContain(failed.generation?.error as string);

      const stuck = await h.inspect(h.take('GENERATION_STUCK', layout));
      expect(stuck.diagnosis).toMatchObject({ code: 'GENERATION_STUCK', fixes: [] });
      expect(stuck.generation?.state).toBe('running');

      // a file the API started ten minutes ago and is still making
      const runningId = h.take('OK', layout, (id) =>
        harness.seed.redisWrites.some((w) => w.key.endsWith(id) && w.value.includes('"processing"')),
      );
      const fileId = await fileOf(runningId, layout);
      const file = harness.sandbox.state.generation.files.get(fileId);
      expect(file).toBeDefined();
      harness.sandbox.state.generation.files.set(fileId, {
        ...(file as NonNullable<typeof file>),
        status: 'processing',
        url: null,
        created_at: new Date(Date.now() - 10 * 60_000).toISOString(),
      });
      const running = await h.inspect(runningId);
      expect(running.diagnosis.code).toBe('OK');
      expect(running.generation).toMatchObject({ fileId, state: 'running', checkedAt: expect.any(String) });
      expect(running.diagnosis.message).toContain('still making');
    });

    it(`${layout}: generation API down → OK, with a message that it could not be asked`, async () => {
      const sessionId = h.take('GENERATION_STUCK', layout);
      harness.sandbox.faults.generation.set({ serverErrorFraction: 1 });
      let view: SessionInspection;
      try {
        view = await h.inspect(sessionId);
      } finally {
        harness.sandbox.faults.generation.reset();
      }
      expect(view.diagnosis.code).toBe('OK');
      expect(view.diagnosis.message).toContain('could not be asked');
      expect(view.generation).toMatchObject({
        state: 'unknown',
        error: expect.stringContaining('could not be asked'),
      });
    });
  }

  it('asks the generation API about a file at most once a minute', async () => {
    const sessionId = h.take('GENERATION_STUCK', 'session-only');
    const reads = () => harness.sandbox.counters.generation.snapshot().routes['GET /api/v1/file/:id'] ?? 0;
    const before = reads();
    const first = await h.inspect(sessionId);
    await h.inspect(sessionId);
    await h.inspect(sessionId);
    expect(reads()).toBe(before + 1);
    const third = await h.inspect(sessionId);
    expect(third.generation?.checkedAt).toBe(first.generation?.checkedAt);
  });

  for (const layout of ['three-key', 'session-only'] as const) {
    it(`${layout}: Generate after a failure starts exactly one new attempt, records its id, keeps the failed id in the audit entry, sends the stored prompt byte for byte`, async () => {
      const sessionId = h.take('GENERATION_FAILED', layout, retryable);
      const failedFileId = await fileOf(sessionId, layout);
      const prompt = await h.storedPrompt(sessionId, layout);
      const calls = starts();

      const results = await Promise.all([1, 2, 3].map(() => h.post(`/api/sessions/${sessionId}/generate`)));
      expect(results.map((result) => result.status).sort()).toEqual([200, 200, 202]);
      expect(starts()).toBe(calls + 1);
      const started = results.find((result) => result.status === 202)?.body as unknown as GenerateResult;
      expect(started).toMatchObject({ outcome: 'started', replacing: failedFileId });
      expect(started.generationId).not.toBe(failedFileId);
      for (const result of results) expect(result.body.generationId).toBe(started.generationId);

      const received = harness.sandbox.state.generation.calls.at(-1)?.body as {
        config: Record<string, unknown>;
      };
      expect(received.config.prompt).toBe(prompt);
      expect(Buffer.from(received.config.prompt as string).equals(Buffer.from(prompt))).toBe(true);
      expect(received.config.generation_config_name).toBe('google-cloud/veo3');
      expect(received.config).toMatchObject({
        negative_prompt: '',
        frame_rate: 30,
        batch_size: 1,
        references: [],
      });

      expect(await h.statusRecord(sessionId, layout)).toMatchObject({
        status: 'processing',
        fileId: started.generationId,
      });
      const entry = (await harness.services.audit.get(started.auditId as string)) as AuditEntry;
      expect(entry.message).toContain(failedFileId);
      expect(Object.values(entry.before).some((value) => value?.includes(failedFileId))).toBe(true);

      // idempotent from then on: the new attempt is running
      const again = await h.post(`/api/sessions/${sessionId}/generate`);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ generationId: started.generationId, outcome: 'existing' });
      expect(starts()).toBe(calls + 1);
      expect((await h.inspect(sessionId)).diagnosis.code).toBe('OK');
    });
  }

  it('a content-policy refusal is not offered Generate, and Generate refuses it', async () => {
    const sessionId = h.take('GENERATION_FAILED', 'session-only', (id) => !retryable(id));
    const view = await h.inspect(sessionId);
    expect(view.diagnosis).toMatchObject({ code: 'GENERATION_FAILED', fixes: [] });
    expect(view.diagnosis.message).toContain('Tell the customer');
    const calls = starts();
    const refused = await h.post(`/api/sessions/${sessionId}/generate`);
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('ACTION_NOT_AVAILABLE');
    expect(starts()).toBe(calls);
  });

  it('a start answered after the deadline: 504 outcome unknown, one generation in all, nothing written; a plain second click starts nothing; retryUnknown starts one more', async () => {
    const layout = 'three-key';
    const sessionId = h.take('WEBHOOK_MISSING', layout);
    const calls = starts();
    const before = await harness.snapshot();
    harness.sandbox.faults.generation.set({ latencyMs: START_LATENCY_MS });
    let first: Awaited<ReturnType<typeof h.post>>;
    try {
      first = await h.post(`/api/sessions/${sessionId}/generate`);
    } finally {
      harness.sandbox.faults.generation.reset();
    }
    expect(first.status).toBe(504);
    expect(first.body.error?.code).toBe('GENERATION_OUTCOME_UNKNOWN');
    // the sandbox did start it, after our deadline
    await expect.poll(starts, { timeout: START_LATENCY_MS * 2 }).toBe(calls + 1);
    const appKeys = (snapshot: Record<string, string>) =>
      Object.fromEntries(Object.entries(snapshot).filter(([key]) => !key.startsWith('cache-doctor:')));
    expect(appKeys(await harness.snapshot())).toEqual(appKeys(before));

    const view = await h.inspect(sessionId);
    // the staff id, with the display name beside it (token mode: the id is the token's name)
    expect(view.outcomeUnknown).toMatchObject({
      message: OUTCOME_UNKNOWN_TEXT,
      actor: 'Olivia Ops',
      actorName: 'Olivia Ops',
    });

    // "Mark as failed" would say generation never started: not offered, not applied, not by the sweep
    expect(view.diagnosis.fixes).toContain('fix-session');
    expect(view.previews.fixSession).toBeNull();
    expect(view.previews.fixBlocked).toMatch(/unknown outcome.*may have started a paid video/);
    const fixPreview = await h.post(`/api/sessions/${sessionId}/fix`, { dryRun: true });
    expect(fixPreview.status).toBe(409);
    expect(fixPreview.body.error?.code).toBe('GENERATION_OUTCOME_UNKNOWN');
    expect(fixPreview.body.error?.message).toMatch(/Ask the generation provider whether it started/);
    const fix = await h.post(`/api/sessions/${sessionId}/fix`);
    expect(fix.status).toBe(409);
    expect(fix.body.error?.code).toBe('GENERATION_OUTCOME_UNKNOWN');
    const swept = await fixSession(harness.services, sessionId, OPS, {
      stripe: { status: 'complete', paymentStatus: 'paid' },
    }).then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    expect(swept).toBe('GENERATION_OUTCOME_UNKNOWN');
    expect(appKeys(await harness.snapshot())).toEqual(appKeys(before));

    const second = await h.post(`/api/sessions/${sessionId}/generate`);
    expect(second.status).toBe(409);
    expect(second.body.error?.code).toBe('GENERATION_OUTCOME_UNKNOWN');
    expect(starts()).toBe(calls + 1);

    const confirmed = await h.post(`/api/sessions/${sessionId}/generate`, { retryUnknown: true });
    expect(confirmed.status).toBe(202);
    expect(starts()).toBe(calls + 2);
    expect(await h.statusRecord(sessionId, layout)).toMatchObject({
      status: 'processing',
      fileId: confirmed.body.generationId,
    });
    expect((await h.inspect(sessionId)).outcomeUnknown).toBeNull();
  });

  it('an unknown start keeps the staff id, with the display name beside it for the page and the messages', async () => {
    const sessionId = h.take('WEBHOOK_MISSING', 'session-only');
    const staff: Staff = { id: 'user_2PatOpsA', name: 'Pat Ops', role: 'ops' };
    harness.sandbox.faults.generation.set({ latencyMs: START_LATENCY_MS });
    let code: string | undefined;
    try {
      code = await generateVideo(harness.services, sessionId, staff).then(
        () => undefined,
        (error: { code?: string }) => error.code,
      );
    } finally {
      harness.sandbox.faults.generation.reset();
    }
    expect(code).toBe('GENERATION_OUTCOME_UNKNOWN');
    const view = await h.inspect(sessionId);
    expect(view.outcomeUnknown).toMatchObject({ actor: 'user_2PatOpsA', actorName: 'Pat Ops' });
    expect(view.previews.fixBlocked).toContain('by Pat Ops');
    const entry = (await harness.services.audit.get(view.outcomeUnknown?.auditId as string)) as AuditEntry;
    expect(entry).toMatchObject({ actor: 'user_2PatOpsA', actorName: 'Pat Ops', result: 'failed' });
  });
});

describe('generation: no generation API configured', () => {
  let harness: Harness;
  const h = harnessHelpers(() => harness);

  beforeAll(async () => {
    harness = await startHarness({ users: 200, env: { GENERATION_API_URL: '', GENERATION_API_TOKEN: '' } });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('Generate answers 503 GENERATION_NOT_CONFIGURED and every key stays byte-identical', async () => {
    for (const layout of ['three-key', 'session-only'] as const) {
      const sessionId = h.take('WEBHOOK_MISSING', layout);
      const before = await harness.snapshot();
      const refused = await h.post(`/api/sessions/${sessionId}/generate`);
      expect(refused.status).toBe(503);
      expect(refused.body.error?.code).toBe('GENERATION_NOT_CONFIGURED');
      expect(await harness.snapshot()).toEqual(before);
      const view = await h.inspect(sessionId);
      expect(view.generationConfigured).toBe(false);
    }
  });

  it('a started generation is diagnosed OK, saying the generation API could not be asked', async () => {
    const view = await h.inspect(h.take('GENERATION_FAILED', 'session-only'));
    expect(view.diagnosis.code).toBe('OK');
    expect(view.diagnosis.message).toContain('GENERATION_API_URL');
  });

  it('pnpm cli session and analytics work without any generation configuration', async () => {
    const sessionId = h.take('WEBHOOK_MISSING', 'session-only');
    const session = await harness.cli(['session', sessionId, '--json']);
    expect(session.err).toBe('');
    expect(JSON.parse(session.out).session.diagnosis.code).toBe('WEBHOOK_MISSING');
    const analytics = await harness.cli(['analytics', '--stats', '--json']);
    expect(analytics.code).toBe(0);
    expect(JSON.parse(analytics.out)).toBeTypeOf('object');
  });
});
