import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SESSION_CODES, type SessionCode } from '@cache-doctor/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCAN_BATCH } from '../src/adapters/prompt-scan';
import { compareNewestFirst } from '../src/domain/prompt-stats';
import { MAX_SAMPLE_KEYS, WebhookSampler } from '../src/metrics/webhook-sample';
import { buildSessionCacheLoad, writeSeedToRedis } from '../src/sandbox/seed';
import { type PromptPage, type PromptStatsReport, readPromptStats } from '../src/services/prompts';
import type { SessionInspection } from '../src/services/session-inspect';
import { GENERATION_TOKEN, type Harness, STAFF, startHarness } from './harness';

/**
 * Reading sessions, prompts and stats (SPEC §2, §6.3, §10) on real redis-server + the sandbox
 * upstreams, seeded with every session problem planted on purpose. Nothing here writes.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

async function inspect(harness: Harness, sessionId: string): Promise<SessionInspection> {
  const response = await harness.request('GET', `/api/sessions/${sessionId}`, { role: 'support' });
  expect(response.status).toBe(200);
  return (await response.json()) as SessionInspection;
}

/** The prompts the seed wrote, worked out from its writes alone (not through the product). */
function seededPrompts(harness: Harness): Map<string, string> {
  const prompts = new Map<string, string>();
  for (const write of harness.seed.redisWrites) {
    const match = /^(prompt|session):(cs_\w+)$/.exec(write.key);
    if (!match) continue;
    try {
      const value = JSON.parse(write.value) as { prompt?: unknown };
      if (typeof value?.prompt === 'string') prompts.set(match[2] as string, value.prompt);
    } catch {
      // a malformed value holds no readable prompt
    }
  }
  return prompts;
}

describe('sessions: inspect, prompts, stats (read-only)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('produces the planted SPEC §2 code and layout for every seeded session, in both layouts', async () => {
    const entries = Object.entries(harness.seed.planted.sessions);
    const seen = new Set<string>();
    for (let index = 0; index < entries.length; index += 10) {
      await Promise.all(
        entries.slice(index, index + 10).map(async ([sessionId, planted]) => {
          const view = await inspect(harness, sessionId);
          expect({ sessionId, code: view.diagnosis.code }).toEqual({ sessionId, code: planted.code });
          if (planted.layout !== 'none')
            expect({ sessionId, layout: view.layout }).toEqual({ sessionId, layout: planted.layout });
          seen.add(`${planted.code}/${planted.layout}`);
        }),
      );
    }
    // Every code appears; every code that exists in both layouts was produced in both.
    const codes = new Set([...seen].map((entry) => entry.split('/')[0]));
    expect([...codes].sort()).toEqual([...SESSION_CODES].sort());
    const bothLayouts: SessionCode[] = [
      'OK',
      'WEBHOOK_MISSING',
      'PROMPT_MISSING',
      'WEBHOOK_ERROR',
      'STUCK',
      'PAYMENT_NOT_COMPLETED',
      'MALFORMED',
    ];
    for (const code of bothLayouts) {
      expect(seen).toContain(`${code}/three-key`);
      expect(seen).toContain(`${code}/session-only`);
    }
    expect(seen).toContain('SESSION_MAPPING_MISSING/three-key');
    expect(seen).toContain('NOT_FOUND/none');
  });

  it('shows each key with existence, TTL, parsed and raw value, Stripe, and the writes a fix would make', async () => {
    const [sessionId] = Object.entries(harness.seed.planted.sessions).find(
      ([, planted]) => planted.code === 'WEBHOOK_MISSING' && planted.layout === 'three-key',
    ) as [string, unknown];
    const stored = await harness.services.redis.get(`prompt:${sessionId}`);
    const view = await inspect(harness, sessionId);
    expect(view).toMatchObject({
      sessionId,
      layout: 'three-key',
      stripe: { status: 'complete', paymentStatus: 'paid' },
      stripeNote: null,
      diagnosis: { code: 'WEBHOOK_MISSING', severity: 'error', fixes: ['fix-session', 'generate'] },
    });
    expect(view.keys.webhook).toEqual({
      key: `webhook:${sessionId}`,
      exists: false,
      ttl: -2,
      value: null,
      raw: null,
    });
    expect(view.keys.prompt.exists).toBe(true);
    expect(view.keys.prompt.ttl).toBeGreaterThan(0);
    expect(view.keys.prompt.raw).toBe(stored);
    expect(view.keys.prompt.value).toEqual(JSON.parse(stored as string));
    expect(view.previews.fixSession?.map((write) => write.key)).toEqual([
      `webhook:${sessionId}`,
      `session:${sessionId}`,
    ]);
    expect(JSON.parse(view.previews.fixSession?.[0]?.after ?? '{}')).toMatchObject({ status: 'error' });
    expect(view.previews.generate?.request.prompt).toContain(JSON.parse(stored as string).prompt);
  });

  it('answers without Stripe: an unknown session gets stripe null and a note; Stripe down is never a 5xx', async () => {
    const unknown = await inspect(harness, 'cs_test_NoSuchSession123');
    expect(unknown.stripe).toBeNull();
    expect(unknown.stripeNote).toMatch(/no checkout session/);
    expect(unknown.diagnosis.code).toBe('NOT_FOUND');

    const [sessionId] = Object.entries(harness.seed.planted.sessions).find(([, p]) => p.code === 'OK') as [
      string,
      unknown,
    ];
    harness.sandbox.faults.stripe.set({ serverErrorFraction: 1 });
    try {
      const view = await inspect(harness, sessionId);
      expect(view.stripe).toBeNull();
      expect(view.stripeNote).toMatch(/could not be asked/);
      expect(view.diagnosis.code).toBe('OK');
    } finally {
      harness.sandbox.faults.stripe.reset();
    }
  });

  it('validates the id before any I/O and needs a staff identity', async () => {
    const before = harness.sandbox.counters.stripe.snapshot().requests;
    const bad = await harness.request('GET', '/api/sessions/not-a-session', { role: 'support' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_ID');
    expect(harness.sandbox.counters.stripe.snapshot().requests).toBe(before);
    expect((await harness.request('GET', '/api/sessions/cs_test_abc')).status).toBe(401);
    expect((await harness.request('POST', '/api/sessions/cs_test_abc/fix', { role: 'support' })).status).toBe(
      403,
    );
    expect(
      (await harness.request('POST', '/api/sessions/cs_test_abc/generate', { role: 'support' })).status,
    ).toBe(403);
  });

  it('pages through every prompt newest first, without overlap or gaps', async () => {
    const expected = seededPrompts(harness);
    const listed: PromptPage['prompts'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=13&cursor=${cursor}` : '?limit=13';
      const response = await harness.request('GET', `/api/prompts${query}`, { role: 'support' });
      expect(response.status).toBe(200);
      const page = (await response.json()) as PromptPage;
      expect(page.prompts.length).toBeLessThanOrEqual(13);
      listed.push(...page.prompts);
      cursor = page.cursor;
      pages += 1;
    } while (cursor !== null && pages < 100);
    expect(cursor).toBeNull();
    expect(new Set(listed.map((item) => item.sessionId)).size).toBe(listed.length);
    expect(listed.map((item) => item.sessionId).sort()).toEqual([...expected.keys()].sort());
    for (let index = 1; index < listed.length; index++) {
      expect(compareNewestFirst(listed[index - 1] as never, listed[index] as never)).toBeLessThan(0);
    }
    const first = listed[0] as PromptPage['prompts'][number];
    expect(first.length).toBe(expected.get(first.sessionId)?.length);
    expect(expected.get(first.sessionId)?.startsWith(first.preview)).toBe(true);

    const badCursor = await harness.request('GET', '/api/prompts?cursor=bm90LWEtY3Vyc29y', {
      role: 'support',
    });
    expect(badCursor.status).toBe(400);
  });

  it('computes the stats with SCAN, never KEYS, and matches the seeded prompts', async () => {
    await harness.services.redis.config('RESETSTAT');
    const response = await harness.request('GET', '/api/stats', { role: 'support' });
    expect(response.status).toBe(200);
    const stats = (await response.json()) as PromptStatsReport;
    const commandStats = await harness.services.redis.info('commandstats');
    expect(commandStats).not.toMatch(/cmdstat_keys:/);
    expect(commandStats).toMatch(/cmdstat_scan:/);

    const expected = [...seededPrompts(harness).values()];
    expect(stats.totalPrompts).toBe(expected.length);
    expect(stats.totalLength).toBe(expected.reduce((sum, prompt) => sum + prompt.length, 0));
    expect(stats.longest?.length).toBe(Math.max(...expected.map((prompt) => prompt.length)));
    expect(stats.shortest?.length).toBe(Math.min(...expected.map((prompt) => prompt.length)));
    expect(stats.histogram.map((bucket) => bucket.bucket)).toEqual([
      '0-100',
      '101-500',
      '501-1000',
      '1001-2000',
      '2000+',
    ]);
    expect(stats.histogram.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(expected.length);
    expect(Object.values(stats.byDiagnosis).reduce((sum, count) => sum + (count ?? 0), 0)).toBe(
      expected.length,
    );
    expect(Object.values(stats.byWebhookStatus).reduce((sum, count) => sum + (count ?? 0), 0)).toBe(
      expected.length,
    );
    expect(stats.perDay.reduce((sum, day) => sum + day.count, 0) + stats.undated).toBe(expected.length);
    expect(stats.byDiagnosis.WEBHOOK_MISSING).toBeGreaterThanOrEqual(
      harness.seed.planted.byCode.WEBHOOK_MISSING.length,
    );
  });

  it('counts a session once when its prompt: key and a session-only record both hold a prompt', async () => {
    const stats = async () => {
      const response = await harness.request('GET', '/api/stats', { role: 'support' });
      return (await response.json()) as PromptStatsReport;
    };
    const before = await stats();
    const { keys, redis } = harness.services;
    const sessionId = 'cs_test_a1BothLayoutsHoldAPrompt';
    const written = [keys.prompt(sessionId), keys.session(sessionId)];
    try {
      await redis.mset(
        written[0] as string,
        JSON.stringify({ prompt: 'an older three-key prompt', timestamp: '2026-11-20T10:00:00.000Z' }),
        written[1] as string,
        JSON.stringify({ prompt: 'the session-only record', createdAt: '2026-11-20T10:00:00.000Z' }),
      );
      const after = await stats();
      expect(after.totalPrompts).toBe(before.totalPrompts + 1);
      expect(after.totalLength).toBe(before.totalLength + 'the session-only record'.length);
    } finally {
      await redis.del(...written);
    }
  });

  it('cli session and cli analytics print the same answers as the API (in process)', async () => {
    const [sessionId] = Object.entries(harness.seed.planted.sessions).find(
      ([, p]) => p.code === 'WEBHOOK_MISSING' && p.layout === 'session-only',
    ) as [string, unknown];
    // SPEC §10: exit 3 while what was asked about still has problems
    const human = await harness.cli(['session', sessionId]);
    expect(human.code).toBe(3);
    expect(human.out).toContain('Diagnosis: WEBHOOK_MISSING (error)');
    expect(human.out).toContain('Offered: --fix, --generate');

    const asJson = await harness.cli(['session', sessionId, '--json']);
    expect(asJson.code).toBe(3);
    expect(JSON.parse(asJson.out).session.diagnosis.code).toBe('WEBHOOK_MISSING');

    for (const limit of [['--limit', '3'], ['--limit=3']]) {
      const prompts = await harness.cli(['analytics', '--prompts', ...limit, '--json']);
      expect(prompts.code).toBe(0);
      const result = JSON.parse(prompts.out) as { prompts: PromptPage; stats?: unknown };
      expect(result.prompts.prompts).toHaveLength(3);
      expect(result.stats).toBeUndefined();
    }

    const stats = await harness.cli(['analytics', '--stats']);
    expect(stats.code).toBe(0);
    expect(stats.out).toMatch(/Total prompts: +\d+/);
    expect(stats.out).toContain('2000+');

    for (const wrong of [
      ['session', 'nope'],
      ['analytics', '--limit', 'x'],
      ['analytics', '--frobnicate'],
      ['nosuch'],
    ]) {
      expect((await harness.cli(wrong)).code, wrong.join(' ')).toBe(2);
    }
  });

  it('`pnpm cli analytics --stats --json` runs as its own process from the environment', async () => {
    const { stdout } = await promisify(execFile)(
      'pnpm',
      ['--silent', 'cli', 'analytics', '--stats', '--json'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          REDIS_URL: harness.redisServer.url,
          STRIPE_SECRET_KEY: 'sk_test_harness',
          STRIPE_API_BASE: harness.sandbox.stripeUrl,
          CLERK_SECRET_KEY: 'sk_test_harness',
          CLERK_API_URL: harness.sandbox.clerkUrl,
          GENERATION_API_URL: harness.sandbox.generationUrl,
          GENERATION_API_TOKEN: GENERATION_TOKEN,
          AUTH_MODE: 'token',
          STAFF_TOKENS: `${STAFF.admin.name}:admin:${STAFF.admin.token}`,
        },
      },
    );
    const result = JSON.parse(stdout) as { stats: PromptStatsReport };
    expect(result.stats.totalPrompts).toBe(seededPrompts(harness).size);
  });
});

describe('webhook success rate sample (SPEC §5)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ users: 20 });
    // enough sessions that one sample cannot take them all
    const { keys, redis } = harness.services;
    await writeSeedToRedis(redis, buildSessionCacheLoad({ sessions: 3_000, keys }));
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('walks the very sessions the stats count, a bounded slice at a time', async () => {
    const stats = await readPromptStats(harness.services);
    const sampler = new WebhookSampler(harness.services);
    const walked = { samples: 0, scannedKeys: 0, withPrompt: 0, ok: 0 };
    while (walked.scannedKeys < stats.scannedKeys) {
      const { rate, tally } = await sampler.sample(new Date());
      // the last SCAN batch may run past the slice, never by more than a batch or so
      expect(tally.scannedKeys).toBeGreaterThan(0);
      expect(tally.scannedKeys).toBeLessThan(MAX_SAMPLE_KEYS + 2 * SCAN_BATCH);
      expect(rate).toBe(tally.withPrompt > 0 ? tally.ok / tally.withPrompt : null);
      walked.samples += 1;
      walked.scannedKeys += tally.scannedKeys;
      walked.withPrompt += tally.withPrompt;
      walked.ok += tally.ok;
    }
    expect(walked.samples).toBeGreaterThan(1);
    expect(walked.scannedKeys).toBe(stats.scannedKeys);
    expect(walked.withPrompt).toBe(stats.totalPrompts);
    expect(walked.ok).toBe(stats.byDiagnosis.OK);
    // and then it starts over
    expect((await sampler.sample(new Date())).tally.withPrompt).toBeGreaterThan(0);
  });
});
