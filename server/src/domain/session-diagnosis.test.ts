import { SESSION_CODES } from '@cache-doctor/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DiagnoseSessionInput, diagnoseSession, type StripeCheckoutState } from './session-diagnosis';
import type { LayoutSetting, SessionSnapshot } from './session-snapshot';
import {
  ago,
  FIFTEEN_MINUTES,
  NOW,
  PAID,
  promptRecord,
  SESSION_ID,
  type SnapshotOptions,
  sessionOnlyRecord,
  snapshotOf,
  UNPAID_OPEN,
} from './session-test-fixtures';

function diagnose(
  snapshot: SessionSnapshot,
  stripe: StripeCheckoutState | null = PAID,
  overrides: Partial<DiagnoseSessionInput> = {},
) {
  return diagnoseSession({
    snapshot,
    stripe,
    now: NOW,
    stuckAfterMs: FIFTEEN_MINUTES,
    layoutSetting: 'detect',
    ...overrides,
  });
}

const threeKey = (
  values: { webhook?: unknown; session?: unknown; prompt?: unknown },
  options?: SnapshotOptions,
) => snapshotOf(values, options);
const sessionOnly = (record: unknown, options?: SnapshotOptions) => snapshotOf({ session: record }, options);
const lookup = { timestamp: ago(60_000) };

describe('diagnoseSession — three-key layout', () => {
  it('OK when the webhook says completed', () => {
    const result = diagnose(
      threeKey({ prompt: promptRecord(), webhook: { status: 'completed', fileId: 'f1' }, session: lookup }),
    );
    expect(result).toMatchObject({
      code: 'OK',
      severity: 'info',
      fixes: [],
      layout: 'three-key',
      status: 'completed',
    });
  });

  it('OK when processing with a file', () => {
    const webhook = { status: 'processing', fileId: 'f1', timestamp: ago(FIFTEEN_MINUTES * 4) };
    const result = diagnose(threeKey({ prompt: promptRecord(), webhook, session: { fileId: 'f1' } }));
    expect(result).toMatchObject({ code: 'OK', fixes: [], status: 'processing' });
    expect(result.message).toContain('f1');
  });

  it('NOT_FOUND when no key exists: a warning, an error when Stripe says it was paid', () => {
    expect(diagnose(threeKey({}), null, { layoutSetting: 'three-key' })).toMatchObject({
      code: 'NOT_FOUND',
      severity: 'warning',
      fixes: [],
    });
    expect(diagnose(threeKey({}), PAID, { layoutSetting: 'three-key' })).toMatchObject({
      code: 'NOT_FOUND',
      severity: 'error',
    });
  });

  it('WEBHOOK_MISSING when the prompt exists but no webhook: key, offering both fixes when paid', () => {
    const result = diagnose(threeKey({ prompt: promptRecord() }));
    expect(result).toMatchObject({
      code: 'WEBHOOK_MISSING',
      severity: 'error',
      fixes: ['fix-session', 'generate'],
      layout: 'three-key',
    });
    expect(result.status).toBeUndefined();
    expect(result.message).toContain('File Not Found');
  });

  it('WEBHOOK_MISSING wins over the missing session: lookup (fixing it creates both)', () => {
    expect(diagnose(threeKey({ prompt: promptRecord(), session: lookup })).code).toBe('WEBHOOK_MISSING');
    expect(diagnose(threeKey({ prompt: promptRecord() })).code).toBe('WEBHOOK_MISSING');
  });

  it('never offers generate while Stripe cannot confirm the payment', () => {
    const result = diagnose(threeKey({ prompt: promptRecord() }), null);
    expect(result).toMatchObject({ code: 'WEBHOOK_MISSING', fixes: ['fix-session'] });
    expect(result.message).toContain('could not confirm');
  });

  it('counts a no-payment-required checkout (100% discount) as paid', () => {
    const free = { status: 'complete', paymentStatus: 'no_payment_required' };
    expect(diagnose(threeKey({ prompt: promptRecord() }), free).fixes).toEqual(['fix-session', 'generate']);
  });

  it('SESSION_MAPPING_MISSING when a status exists but session: does not', () => {
    const result = diagnose(
      threeKey({ prompt: promptRecord(), webhook: { status: 'completed', fileId: 'f1' } }),
    );
    expect(result).toMatchObject({ code: 'SESSION_MAPPING_MISSING', severity: 'warning', fixes: [] });
    expect(result.message).toContain(`session:${SESSION_ID}`);
  });

  it('PROMPT_MISSING: a warning when a fine status exists, an error when there is nothing to act on', () => {
    expect(diagnose(threeKey({ webhook: { status: 'completed' }, session: lookup }))).toMatchObject({
      code: 'PROMPT_MISSING',
      severity: 'warning',
      fixes: [],
    });
    expect(diagnose(threeKey({ session: { fileId: 'f1', timestamp: ago(1000) } }))).toMatchObject({
      code: 'PROMPT_MISSING',
      severity: 'error',
      fixes: [],
      layout: 'three-key',
    });
  });

  it('a blank prompt counts as no prompt', () => {
    expect(diagnose(threeKey({ prompt: promptRecord({ prompt: '   ' }) })).code).toBe('PROMPT_MISSING');
  });

  it('WEBHOOK_ERROR quotes the error and offers generate when paid', () => {
    const webhook = { status: 'error', error: 'out of GPU capacity', timestamp: ago(1000) };
    const result = diagnose(threeKey({ prompt: promptRecord(), webhook, session: lookup }));
    expect(result).toMatchObject({
      code: 'WEBHOOK_ERROR',
      severity: 'error',
      fixes: ['generate'],
      status: 'error',
    });
    expect(result.message).toContain('out of GPU capacity');
    expect(diagnose(threeKey({ prompt: promptRecord(), webhook, session: lookup }), null).fixes).toEqual([]);
  });

  it('WEBHOOK_ERROR outranks the missing lookup, and offers no generate without a prompt', () => {
    const result = diagnose(threeKey({ webhook: { status: 'error' } }));
    expect(result).toMatchObject({ code: 'WEBHOOK_ERROR', fixes: [] });
    expect(result.message).toContain('no prompt');
  });

  it('STUCK when pending longer than the limit, outranking the missing lookup', () => {
    const webhook = { status: 'pending', timestamp: ago(FIFTEEN_MINUTES + 60_000) };
    const result = diagnose(threeKey({ prompt: promptRecord(), webhook }));
    expect(result).toMatchObject({
      code: 'STUCK',
      severity: 'error',
      fixes: ['generate'],
      status: 'pending',
    });
    expect(result.message).toContain('for 16 min (the limit is 15 min)');
  });

  it('says a long wait in days and hours, not in thousands of minutes', () => {
    const webhook = { status: 'pending', timestamp: ago((6 * 24 + 9) * 3_600_000) };
    const result = diagnose(threeKey({ prompt: promptRecord(), webhook }));
    expect(result.message).toContain('for 6 d 9 h');
  });

  it('STUCK when processing without a file longer than the limit', () => {
    const webhook = { status: 'processing', timestamp: ago(FIFTEEN_MINUTES * 2) };
    expect(diagnose(threeKey({ prompt: promptRecord(), webhook, session: lookup }))).toMatchObject({
      code: 'STUCK',
      fixes: ['generate'],
    });
  });

  it('takes the age from the prompt timestamp when the webhook record has none', () => {
    const old = threeKey({
      prompt: promptRecord({ timestamp: ago(FIFTEEN_MINUTES + 1) }),
      webhook: { status: 'pending' },
      session: lookup,
    });
    const fresh = threeKey({
      prompt: promptRecord({ timestamp: ago(1000) }),
      webhook: { status: 'pending' },
      session: lookup,
    });
    expect(diagnose(old).code).toBe('STUCK');
    expect(diagnose(fresh).code).toBe('OK');
  });

  it('PAYMENT_NOT_COMPLETED wins over WEBHOOK_MISSING and offers no fix at all', () => {
    const result = diagnose(threeKey({ prompt: promptRecord() }), UNPAID_OPEN);
    expect(result).toMatchObject({ code: 'PAYMENT_NOT_COMPLETED', severity: 'warning', fixes: [] });
    expect(result.message).toContain('still open');
  });

  it('PAYMENT_NOT_COMPLETED flags a generation that ran for an unpaid checkout', () => {
    const result = diagnose(
      threeKey({ prompt: promptRecord(), webhook: { status: 'completed' }, session: lookup }),
      { status: 'expired', paymentStatus: 'unpaid' },
    );
    expect(result).toMatchObject({ code: 'PAYMENT_NOT_COMPLETED', status: 'completed' });
    expect(result.message).toContain('expired');
    expect(result.message).toContain('"completed"');
  });

  it('MALFORMED when a value is not JSON, names the key, and outranks everything', () => {
    const result = diagnose(threeKey({ prompt: promptRecord(), webhook: '{status: pending' }), UNPAID_OPEN);
    expect(result).toMatchObject({ code: 'MALFORMED', severity: 'error', fixes: [] });
    expect(result.message).toContain(`webhook:${SESSION_ID} is not a JSON object`);
  });

  it.each([
    ['a webhook with an unknown status', { webhook: { status: 'done' } }, 'status "done"'],
    ['a webhook with no status', { webhook: { fileId: 'f1' } }, 'has no "status"'],
    ['a prompt record without a prompt', { prompt: { timestamp: ago(1) } }, 'has no "prompt"'],
    ['a prompt that is not text', { prompt: { prompt: 42 } }, '"prompt" is 42'],
    ['a lookup holding an array', { prompt: promptRecord(), session: '[1,2]' }, 'is not a JSON object'],
    ['a plain customer id where JSON belongs', { prompt: 'cus_123' }, 'is not a JSON object'],
    ['a file id that is not text', { webhook: { status: 'completed', fileId: 7 } }, '"fileId" is 7'],
  ])('MALFORMED for %s', (_, values, reason) => {
    const result = diagnose(threeKey(values), PAID, { layoutSetting: 'three-key' });
    expect(result.code).toBe('MALFORMED');
    expect(result.message).toContain(reason);
  });

  it('a key that exists without a string value (another Redis type) is malformed', () => {
    const snapshot = threeKey({ prompt: promptRecord() });
    snapshot.webhook = { ...snapshot.webhook, exists: true, ttl: -1 };
    expect(diagnose(snapshot).code).toBe('MALFORMED');
  });
});

describe('diagnoseSession — session-only layout', () => {
  it('OK when completed or processing with a file', () => {
    expect(diagnose(sessionOnly(sessionOnlyRecord({ status: 'completed' })))).toMatchObject({
      code: 'OK',
      layout: 'session-only',
      status: 'completed',
    });
    const processing = sessionOnlyRecord({
      status: 'processing',
      fileId: 'f9',
      timestamp: ago(FIFTEEN_MINUTES * 10),
    });
    expect(diagnose(sessionOnly(processing)).code).toBe('OK');
  });

  it('NOT_FOUND when session: does not exist', () => {
    expect(diagnose(sessionOnly(undefined), null, { layoutSetting: 'session-only' })).toMatchObject({
      code: 'NOT_FOUND',
      layout: 'session-only',
    });
  });

  it('NOT_FOUND is detected as the current layout', () => {
    expect(diagnose(snapshotOf({}), null).layout).toBe('session-only');
  });

  it('WEBHOOK_MISSING when the record has no status', () => {
    expect(diagnose(sessionOnly(sessionOnlyRecord()))).toMatchObject({
      code: 'WEBHOOK_MISSING',
      severity: 'error',
      fixes: ['fix-session', 'generate'],
      layout: 'session-only',
    });
    expect(diagnose(sessionOnly(sessionOnlyRecord()), null).fixes).toEqual(['fix-session']);
  });

  it('PROMPT_MISSING when a record with a status has no prompt', () => {
    const record = { status: 'completed', fileId: 'f1', toolSlug: 'text-to-video' };
    expect(diagnose(sessionOnly(record))).toMatchObject({ code: 'PROMPT_MISSING', layout: 'session-only' });
  });

  it('never reports SESSION_MAPPING_MISSING: session: is the record itself', () => {
    const codes = [
      diagnose(sessionOnly(sessionOnlyRecord({ status: 'completed' }))).code,
      diagnose(sessionOnly(sessionOnlyRecord({ status: 'pending', timestamp: ago(1000) }))).code,
    ];
    expect(codes).not.toContain('SESSION_MAPPING_MISSING');
  });

  it('WEBHOOK_ERROR with the stored error: a retryable one offers Generate', () => {
    const record = sessionOnlyRecord({
      status: 'error',
      error: 'Generation failed: out of GPU capacity, please retry',
      timestamp: ago(1000),
    });
    const result = diagnose(sessionOnly(record));
    expect(result).toMatchObject({ code: 'WEBHOOK_ERROR', fixes: ['generate'] });
    expect(result.message).toContain('out of GPU capacity');
    expect(result.message).toContain('support: ask ops');
  });

  it('WEBHOOK_ERROR from a content-policy refusal: no Generate, and what to tell the customer', () => {
    const record = sessionOnlyRecord({
      status: 'error',
      error: 'Content policy violation',
      timestamp: ago(1000),
    });
    const result = diagnose(sessionOnly(record));
    expect(result).toMatchObject({ code: 'WEBHOOK_ERROR', fixes: [] });
    expect(result.message).toContain('Content policy violation');
    expect(result.message).toContain('Tell the customer');
  });

  it('STUCK boundary: exactly at the limit is not stuck, one millisecond over is', () => {
    const at = (age: number) => sessionOnly(sessionOnlyRecord({ status: 'pending', timestamp: ago(age) }));
    expect(diagnose(at(FIFTEEN_MINUTES - 1))).toMatchObject({ code: 'OK', severity: 'info', fixes: [] });
    expect(diagnose(at(FIFTEEN_MINUTES)).code).toBe('OK');
    expect(diagnose(at(FIFTEEN_MINUTES + 1))).toMatchObject({ code: 'STUCK', fixes: ['generate'] });
  });

  it('STUCK honours the configured limit', () => {
    const snapshot = sessionOnly(sessionOnlyRecord({ status: 'processing', timestamp: ago(5 * 60_000) }));
    expect(diagnose(snapshot).code).toBe('OK');
    expect(diagnose(snapshot, PAID, { stuckAfterMs: 4 * 60_000 }).code).toBe('STUCK');
  });

  it('takes the age from createdAt when the status has no timestamp, and counts no time at all as stuck', () => {
    const created = (age: number) =>
      sessionOnly(sessionOnlyRecord({ status: 'pending', createdAt: ago(age) }));
    expect(diagnose(created(FIFTEEN_MINUTES + 1)).code).toBe('STUCK');
    expect(diagnose(created(FIFTEEN_MINUTES - 1)).code).toBe('OK');
    const timeless = sessionOnly(sessionOnlyRecord({ status: 'pending', createdAt: 'yesterday-ish' }));
    const result = diagnose(timeless);
    expect(result.code).toBe('STUCK');
    expect(result.message).toContain('no time recorded');
  });

  it('a timestamp in the future (clock skew) is not stuck', () => {
    const future = new Date(NOW.getTime() + 60_000).toISOString();
    expect(diagnose(sessionOnly(sessionOnlyRecord({ status: 'pending', timestamp: future }))).code).toBe(
      'OK',
    );
  });

  it('PAYMENT_NOT_COMPLETED wins over WEBHOOK_MISSING; a clearing payment is explained', () => {
    const result = diagnose(sessionOnly(sessionOnlyRecord()), {
      status: 'complete',
      paymentStatus: 'unpaid',
    });
    expect(result).toMatchObject({ code: 'PAYMENT_NOT_COMPLETED', fixes: [] });
    expect(result.message).toContain('not received the payment yet');
  });

  it('PAYMENT_NOT_COMPLETED wins over NOT_FOUND', () => {
    expect(diagnose(snapshotOf({}), UNPAID_OPEN).code).toBe('PAYMENT_NOT_COMPLETED');
  });

  it.each([
    ['text that is not JSON', 'not json'],
    ['a JSON string', '"a prompt"'],
    ['JSON null', 'null'],
    ['an unknown status', JSON.stringify(sessionOnlyRecord({ status: 'queued' }))],
    ['a prompt that is not text', JSON.stringify(sessionOnlyRecord({ prompt: ['a', 'b'] }))],
  ])('MALFORMED for %s', (_, raw) => {
    expect(diagnose(sessionOnly(raw), PAID, { layoutSetting: 'session-only' }).code).toBe('MALFORMED');
  });

  it('fields the app may add or type its own way do not make a record malformed', () => {
    const record = sessionOnlyRecord({ videoCount: '2', duration: '10s', extra: { nested: true } });
    expect(diagnose(sessionOnly(record)).code).toBe('WEBHOOK_MISSING');
  });
});

describe('diagnoseSession — values already parsed (Upstash REST)', () => {
  it('reads parsed objects exactly like JSON strings', () => {
    const values = { prompt: promptRecord(), webhook: { status: 'error', error: 'x' }, session: lookup };
    expect(diagnose(threeKey(values, { parsed: true }))).toEqual(diagnose(threeKey(values)));
    const record = sessionOnlyRecord();
    expect(diagnose(sessionOnly(record, { parsed: true }))).toEqual(diagnose(sessionOnly(record)));
  });

  it('a parsed array or number is malformed', () => {
    expect(diagnose(sessionOnly([1, 2], { parsed: true })).code).toBe('MALFORMED');
    expect(diagnose(threeKey({ prompt: promptRecord(), webhook: 5 }, { parsed: true })).code).toBe(
      'MALFORMED',
    );
  });
});

describe('diagnoseSession — configured layout', () => {
  it('reads three-key data as a configured session-only layout says (only session: counts)', () => {
    const snapshot = threeKey({ prompt: promptRecord(), webhook: { status: 'completed' } });
    expect(diagnose(snapshot, PAID, { layoutSetting: 'session-only' })).toMatchObject({
      code: 'NOT_FOUND',
      layout: 'session-only',
    });
  });

  it('reads a session-only record as a configured three-key layout says', () => {
    const result = diagnose(sessionOnly(sessionOnlyRecord({ status: 'completed' })), PAID, {
      layoutSetting: 'three-key',
    });
    expect(result).toMatchObject({ code: 'PROMPT_MISSING', layout: 'three-key', severity: 'error' });
  });
});

describe('diagnoseSession — properties', () => {
  const anyRaw = fc.oneof(
    fc.constant(undefined),
    fc.string(),
    fc.json(),
    fc.jsonValue(),
    fc.record({
      prompt: fc.oneof(fc.string(), fc.integer()),
      status: fc.oneof(fc.constantFrom('pending', 'processing', 'completed', 'error'), fc.string()),
      fileId: fc.option(fc.string(), { nil: undefined }),
      timestamp: fc.option(
        fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        {
          nil: undefined,
        },
      ),
    }),
  );
  const anyStripe = fc.option(
    fc.record({
      status: fc.constantFrom('open', 'complete', 'expired', null),
      paymentStatus: fc.constantFrom('paid', 'unpaid', 'no_payment_required', null),
    }),
    { nil: null },
  );
  const anyLayout = fc.constantFrom<LayoutSetting>('detect', 'three-key', 'session-only');

  it('never throws, always answers a known code, and offers fixes only where allowed', () => {
    fc.assert(
      fc.property(
        anyRaw,
        anyRaw,
        anyRaw,
        fc.boolean(),
        anyStripe,
        anyLayout,
        (webhook, session, prompt, parsed, stripe, layoutSetting) => {
          const result = diagnose(snapshotOf({ webhook, session, prompt }, { parsed }), stripe, {
            layoutSetting,
          });
          expect(SESSION_CODES).toContain(result.code);
          expect(result.message.length).toBeGreaterThan(20);
          if (result.fixes.includes('fix-session')) expect(result.code).toBe('WEBHOOK_MISSING');
          if (result.fixes.includes('generate')) {
            expect(['WEBHOOK_MISSING', 'WEBHOOK_ERROR', 'STUCK']).toContain(result.code);
            expect(['paid', 'no_payment_required']).toContain(stripe?.paymentStatus);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('diagnoseSession — what the generation API says about a started file', () => {
  const HOUR = 3_600_000;
  const started = (layout: 'three-key' | 'session-only', fileId = 'file_1', timestamp = ago(10 * 60_000)) =>
    layout === 'three-key'
      ? threeKey({
          prompt: promptRecord(),
          webhook: { status: 'processing', fileId, timestamp },
          session: { fileId, timestamp },
        })
      : sessionOnly(sessionOnlyRecord({ status: 'processing', fileId, timestamp }));
  const file = (
    state: 'running' | 'completed' | 'failed',
    fields: { error?: string; createdAt?: string } = {},
  ) => ({
    kind: 'known' as const,
    file: {
      fileId: 'file_1',
      state,
      url: state === 'completed' ? 'https://videos.test/file_1.mp4' : null,
      error: fields.error ?? null,
      createdAt: fields.createdAt ?? null,
      checkedAt: NOW.toISOString(),
    },
  });
  const rules = { generationStuckAfterMs: HOUR };

  for (const layout of ['three-key', 'session-only'] as const) {
    it(`${layout}: completed → OK`, () => {
      expect(diagnose(started(layout), PAID, { ...rules, generation: file('completed') })).toMatchObject({
        code: 'OK',
        fixes: [],
      });
    });

    it(`${layout}: failed → GENERATION_FAILED with the provider's words and one new attempt offered`, () => {
      const result = diagnose(started(layout), PAID, {
        ...rules,
        generation: file('failed', { error: 'out of GPU capacity' }),
      });
      expect(result).toMatchObject({ code: 'GENERATION_FAILED', severity: 'error', fixes: ['generate'] });
      expect(result.message).toContain('"out of GPU capacity"');
    });

    it(`${layout}: refused by content policy → GENERATION_FAILED, no new attempt`, () => {
      const result = diagnose(started(layout), PAID, {
        ...rules,
        generation: file('failed', { error: 'Content policy violation: prompt was rejected' }),
      });
      expect(result).toMatchObject({ code: 'GENERATION_FAILED', fixes: [] });
      expect(result.message).toContain('Tell the customer');
    });

    it(`${layout}: unfinished past the limit (from the file's created_at) → GENERATION_STUCK`, () => {
      const running = file('running', { createdAt: ago(HOUR + 1) });
      expect(diagnose(started(layout), PAID, { ...rules, generation: running })).toMatchObject({
        code: 'GENERATION_STUCK',
        fixes: [],
      });
      const within = file('running', { createdAt: ago(HOUR) });
      expect(diagnose(started(layout), PAID, { ...rules, generation: within }).code).toBe('OK');
    });

    it(`${layout}: unfinished with no created_at counts from the record's timestamp`, () => {
      const result = diagnose(started(layout, 'file_1', ago(2 * HOUR)), PAID, {
        ...rules,
        generation: file('running'),
      });
      expect(result.code).toBe('GENERATION_STUCK');
    });

    it(`${layout}: the generation API could not be asked → OK, saying so`, () => {
      const result = diagnose(started(layout), PAID, {
        ...rules,
        generation: {
          kind: 'unavailable',
          fileId: 'file_1',
          reason: 'the generation API could not be asked (HTTP 503)',
          checkedAt: NOW.toISOString(),
        },
      });
      expect(result.code).toBe('OK');
      expect(result.message).toContain('could not be asked');
    });
  }

  it('unpaid outranks a failed generation (never generate for an unpaid checkout)', () => {
    const result = diagnose(started('session-only'), UNPAID_OPEN, {
      ...rules,
      generation: file('failed', { error: 'boom' }),
    });
    expect(result.code).toBe('PAYMENT_NOT_COMPLETED');
  });
});
