import { type FailedEvent, FIX_SESSION_ERROR_MESSAGE } from '@cache-doctor/shared';
import { describe, expect, it } from 'vitest';
import {
  type CheckoutFacts,
  eventIdsBySession,
  sweepSession,
  tallyWebhooks,
  webhookSuccessRate,
} from './session-sweep';
import {
  ago,
  FIFTEEN_MINUTES,
  NOW,
  PAID,
  promptRecord,
  SESSION_ID,
  sessionOnlyRecord,
  snapshotOf,
} from './session-test-fixtures';

const RULES = { now: NOW, stuckAfterMs: FIFTEEN_MINUTES, layoutSetting: 'detect' as const };

const facts = (stripe: CheckoutFacts['stripe'] = PAID): CheckoutFacts => ({
  sessionId: SESSION_ID,
  created: Math.floor(NOW.getTime() / 1000) - 3600,
  amountTotal: 1500,
  currency: 'usd',
  customerEmail: 'ann@example.com',
  stripe,
});

const UNPAID_COMPLETE = { status: 'complete', paymentStatus: 'unpaid' } as const;

describe('sweepSession', () => {
  it('a paid session whose status update was dropped is unprocessed, in both layouts', () => {
    const threeKey = sweepSession(snapshotOf({ prompt: promptRecord() }), facts(), RULES);
    const sessionOnly = sweepSession(snapshotOf({ session: sessionOnlyRecord() }), facts(), RULES);
    for (const swept of [threeKey, sessionOnly]) {
      expect(swept.diagnosis.code).toBe('WEBHOOK_MISSING');
      expect(swept.unprocessed).toBe(true);
      expect(swept.paidWithPrompt).toBe(true);
    }
  });

  it('an unpaid completed checkout is neither unprocessed nor counted in the success rate', () => {
    const swept = sweepSession(snapshotOf({ prompt: promptRecord() }), facts(UNPAID_COMPLETE), RULES);
    expect(swept.diagnosis.code).toBe('PAYMENT_NOT_COMPLETED');
    expect(swept.unprocessed).toBe(false);
    expect(swept.paidWithPrompt).toBe(false);
  });

  it('a stuck generation and a failed one are unprocessed', () => {
    const stuck = sweepSession(
      snapshotOf({ session: sessionOnlyRecord({ status: 'pending', timestamp: ago(2 * FIFTEEN_MINUTES) }) }),
      facts(),
      RULES,
    );
    const failed = sweepSession(
      snapshotOf({
        prompt: promptRecord(),
        webhook: { status: 'error', error: 'GPU quota exceeded', timestamp: ago(60_000) },
        session: { timestamp: ago(60_000) },
      }),
      facts(),
      RULES,
    );
    expect([stuck.diagnosis.code, failed.diagnosis.code]).toEqual(['STUCK', 'WEBHOOK_ERROR']);
    expect([stuck.unprocessed, failed.unprocessed]).toEqual([true, true]);
  });

  it('the error status Fix session wrote stays listed (marked failed, no video), and is not a success', () => {
    const swept = sweepSession(
      snapshotOf({
        session: sessionOnlyRecord({
          status: 'error',
          error: FIX_SESSION_ERROR_MESSAGE,
          timestamp: ago(60_000),
        }),
      }),
      facts(),
      RULES,
    );
    expect(swept.diagnosis.code).toBe('WEBHOOK_ERROR');
    expect(swept).toMatchObject({ unprocessed: true, markedFailed: true });
    expect(swept.diagnosis.fixes).toEqual(['generate']);
    expect(tallyWebhooks([swept], { paidWithPrompt: 0, ok: 0, paid: 0 })).toEqual({
      paidWithPrompt: 1,
      ok: 0,
      paid: 1,
    });
  });

  it('a processed session is OK and counts as a success', () => {
    const swept = sweepSession(
      snapshotOf({
        session: sessionOnlyRecord({ status: 'completed', fileId: 'file_1', timestamp: ago(60_000) }),
      }),
      facts(),
      RULES,
    );
    expect(swept.diagnosis.code).toBe('OK');
    expect(swept.unprocessed).toBe(false);
    expect(tallyWebhooks([swept], { paidWithPrompt: 0, ok: 0, paid: 0 })).toEqual({
      paidWithPrompt: 1,
      ok: 1,
      paid: 1,
    });
  });

  it('a paid session Redis never heard of has no prompt data: reported by neither the list nor the rate', () => {
    const swept = sweepSession(snapshotOf({}), facts(), RULES);
    expect(swept.diagnosis.code).toBe('NOT_FOUND');
    expect(swept.unprocessed).toBe(false);
    expect(swept.paidWithPrompt).toBe(false);
  });
});

describe('webhookSuccessRate', () => {
  it('is OK over paid sessions with prompt data, and no figure without any', () => {
    expect(webhookSuccessRate({ paidWithPrompt: 40, ok: 38, paid: 41 })).toBe(0.95);
    expect(webhookSuccessRate({ paidWithPrompt: 0, ok: 0, paid: 0 })).toBeNull();
  });
});

describe('eventIdsBySession', () => {
  it("lists each session's failed events, oldest first; events about no session are left out", () => {
    const event = (id: string, created: number, sessionId: string | null): FailedEvent => ({
      id,
      type: 'checkout.session.completed',
      created,
      sessionId,
    });
    const events = [
      event('evt_2', 20, 'cs_test_abc'),
      event('evt_1', 10, 'cs_test_abc'),
      event('evt_3', 30, null),
    ];
    expect(eventIdsBySession(events)).toEqual(new Map([['cs_test_abc', ['evt_1', 'evt_2']]]));
  });
});
