import type { AuditEntry } from '@cache-doctor/shared';
import { describe, expect, it } from 'vitest';
import { money, type StoryCheckout, type StorySubscription, sessionStory, userStory } from './timeline';

const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

const audit = (action: string, iso: string): AuditEntry => ({
  id: `a-${action}`,
  at: iso,
  actor: 'ops-1',
  actorName: 'Olivia Ops',
  role: 'ops',
  action,
  target: 'user_1',
  before: {},
  after: {},
  result: 'applied',
});

const subscription = (created: string, canceled: string | null): StorySubscription => ({
  id: 'sub_1',
  created: at(created),
  canceledAt: canceled ? at(canceled) : null,
  priceNickname: 'Studio monthly',
});

const checkout = (
  sessionId: string,
  created: string,
  status: 'complete' | 'open',
  paid: boolean,
): StoryCheckout => ({
  sessionId,
  created: at(created),
  stripe: { status, paymentStatus: paid ? 'paid' : 'unpaid' },
  amountTotal: 2997,
  currency: 'usd',
});

describe('the customer timeline', () => {
  it('puts Stripe, the cache and the audit log in one list, newest first, in words', () => {
    const items = userStory({
      customer: { id: 'cus_1', created: at('2026-01-01T00:00:00Z') },
      subscriptions: [subscription('2026-01-02T00:00:00Z', '2026-03-01T00:00:00Z')],
      sessions: [checkout('cs_test_1', '2026-02-01T00:00:00Z', 'complete', true)],
      invoices: [
        {
          id: 'in_1',
          status: 'paid',
          billingReason: 'subscription_cycle',
          amountPaid: 1500,
          amountDue: 1500,
          currency: 'usd',
          created: at('2026-02-02T00:00:00Z'),
          paidAt: at('2026-02-02T00:05:00Z'),
          attemptCount: 1,
        },
      ],
      cacheUpdatedAt: Date.parse('2026-03-02T00:00:00Z'),
      audit: [audit('undo', '2026-03-04T00:00:00Z'), audit('refresh', '2026-03-03T00:00:00Z')],
    });
    expect(items.map((item) => [item.kind, item.source])).toEqual([
      ['audit.undo', 'audit'],
      ['audit.refresh', 'audit'],
      ['cache.updated', 'cache'],
      ['subscription.cancelled', 'stripe'],
      ['subscription.renewed', 'stripe'],
      ['checkout.complete', 'stripe'],
      ['subscription.created', 'stripe'],
      ['customer.created', 'stripe'],
    ]);
    expect(items[1]?.title).toBe('Cache refreshed by Olivia Ops');
    expect(items.find((item) => item.kind === 'checkout.complete')?.title).toBe('Checkout paid $29.97');
    expect(items.find((item) => item.kind === 'subscription.renewed')?.at).toBe('2026-02-02T00:05:00.000Z');
  });

  it('reads a cache updatedAt written in seconds by older app versions', () => {
    const [item] = userStory({
      customer: null,
      subscriptions: [],
      sessions: [],
      invoices: [],
      cacheUpdatedAt: at('2026-03-02T00:00:00Z'),
      audit: [],
    });
    expect(item?.at).toBe('2026-03-02T00:00:00.000Z');
  });

  it('does not divide zero-decimal currencies', () => {
    expect(money(500, 'jpy')).toBe('¥500');
    expect(money(null, 'usd')).toBe('no amount');
  });
});

describe('the session timeline', () => {
  it('shows the checkout, the failed delivery after the payment, the app status writes and the fix', () => {
    const event = {
      id: 'evt_1',
      type: 'checkout.session.completed',
      created: at('2026-02-01T00:02:00Z'),
      pendingWebhooks: 1,
    };
    const items = sessionStory({
      session: checkout('cs_test_1', '2026-02-01T00:00:00Z', 'complete', true),
      events: [event],
      records: [
        {
          key: 'prompt:cs_test_1',
          exists: true,
          ttl: 1,
          raw: JSON.stringify({ prompt: 'a cat', timestamp: '2026-02-01T00:00:30Z' }),
        },
        {
          key: 'webhook:cs_test_1',
          exists: true,
          ttl: 1,
          raw: JSON.stringify({
            status: 'error',
            error: 'Webhook processing failed',
            timestamp: '2026-02-03T00:00:00Z',
          }),
        },
      ],
      audit: [{ ...audit('fix-session', '2026-02-03T00:00:00Z'), target: 'cs_test_1' }],
    });
    const kinds = items.map((item) => item.kind);
    expect(kinds).toEqual([
      'app.status.error',
      'audit.fix-session',
      'webhook.failed',
      'checkout.completed',
      'app.saved',
      'checkout.created',
    ]);
    expect(items[2]?.ref).toEqual({ kind: 'event', id: 'evt_1' });
  });
});
