import { type AuditEntry, USER_ID_PATTERN } from '@cache-doctor/shared';
import type Stripe from 'stripe';
import { readCustomerSnapshot } from '../adapters/customer-store';
import { readSessionSnapshots } from '../adapters/session-store';
import { checkoutFacts, storyEventFacts, stripeStoryFacts } from '../adapters/stripe-facts';
import { jsonRecordOrNull } from '../domain/cached-value';
import { mappedCustomerIdOf } from '../domain/customer-owner';
import { sweepSession } from '../domain/session-sweep';
import { type StoryItem, sessionStory, userStory } from '../domain/timeline';
import { AppError } from '../lib/app-error';
import type { Services } from './container';
import { fetchMappedUpstream } from './customer-upstream';

/**
 * The customer's story (SPEC §6.2): what they bought, and one timeline of what happened to them in
 * Stripe, in the cache and in Cache Doctor. Every Stripe list is read one page at a time, once.
 */

/** How many of the audit log's newest entries about one target a timeline shows. */
const AUDIT_ITEMS = 50;

interface Payer {
  customerId: string | null;
  email: string | null;
}

/** The user's Stripe customer (mapped in the cache, else found by email) and their email. */
async function payerOf(services: Services, userId: string) {
  const { snapshot } = await readCustomerSnapshot(services.redis, services.keys, userId);
  const mapped = mappedCustomerIdOf(snapshot);
  const upstream = await fetchMappedUpstream(services, userId, mapped);
  if (!upstream.clerk && snapshot.mapping?.raw == null) {
    throw new AppError('USER_NOT_FOUND', `No user ${userId} in Clerk and nothing cached for it.`);
  }
  const live = upstream.stripe && !upstream.stripe.deleted ? upstream.stripe : null;
  const payer: Payer = {
    customerId: live?.id ?? mapped,
    email: upstream.clerk?.primaryEmail ?? live?.email ?? null,
  };
  return { payer, snapshot, stripe: upstream.stripe };
}

/** The customer's checkout sessions and, for guest checkouts, those paid with their email. */
async function checkoutSessionsOf(services: Services, payer: Payer): Promise<Stripe.Checkout.Session[]> {
  const history = services.stripe.customerHistory;
  const [byCustomer, byEmail] = await Promise.all([
    payer.customerId ? history.checkoutSessions({ customer: payer.customerId }) : [],
    payer.email ? history.checkoutSessions({ email: payer.email }) : [],
  ]);
  const all = new Map([...byCustomer, ...byEmail].map((session) => [session.id, session]));
  return [...all.values()].sort((a, b) => b.created - a.created);
}

/** Each session diagnosed with the session page's rules, from one pipelined read of its records. */
async function diagnosed(services: Services, sessions: Stripe.Checkout.Session[]) {
  const snapshots = await readSessionSnapshots(
    services.redis,
    services.keys,
    sessions.map((session) => session.id),
  );
  const rules = {
    now: new Date(),
    stuckAfterMs: services.config.stuckAfterMs,
    layoutSetting: services.config.sessionLayout,
  };
  return sessions.map((session, index) => {
    const snapshot = snapshots[index];
    if (!snapshot) throw new Error(`no Redis reading for ${session.id}`);
    const { diagnosis } = sweepSession(snapshot, checkoutFacts(session), rules);
    return {
      sessionId: session.id,
      created: session.created,
      amountTotal: session.amount_total,
      currency: session.currency,
      status: session.status,
      paymentStatus: session.payment_status,
      customerEmail: session.customer_details?.email ?? session.customer_email ?? null,
      /** paid without a Stripe customer: found by the email alone */
      guest: session.customer === null,
      diagnosis: { code: diagnosis.code, severity: diagnosis.severity, message: diagnosis.message },
    };
  });
}

/** `GET /api/users/:userId/sessions`: newest first. */
export async function listUserSessions(services: Services, userId: string) {
  const { payer } = await payerOf(services, userId);
  const sessions = await checkoutSessionsOf(services, payer);
  return { customerId: payer.customerId, email: payer.email, sessions: await diagnosed(services, sessions) };
}

const auditAbout = async (services: Services, target: string): Promise<AuditEntry[]> =>
  (await services.audit.list({ target, limit: AUDIT_ITEMS })).entries.filter(
    (entry) => entry.target === target,
  );

/** `GET /api/users/:userId/timeline`: Stripe, the cache and the audit log in one list, newest first. */
export async function userTimeline(services: Services, userId: string): Promise<{ items: StoryItem[] }> {
  const { payer, snapshot, stripe } = await payerOf(services, userId);
  const history = services.stripe.customerHistory;
  const customerId = payer.customerId;
  const [sessions, subscriptions, invoices, audit] = await Promise.all([
    checkoutSessionsOf(services, payer),
    customerId ? history.subscriptions(customerId) : [],
    customerId ? history.invoices(customerId) : [],
    auditAbout(services, userId),
  ]);
  const record = jsonRecordOrNull(snapshot.customer?.raw);
  return {
    items: userStory({
      customer: stripe && !stripe.deleted ? { id: stripe.id, created: stripe.created } : null,
      ...stripeStoryFacts({ subscriptions, sessions, invoices }),
      cacheUpdatedAt: record ? record.updatedAt : undefined,
      audit,
    }),
  };
}

/**
 * Who paid, and for what: the app puts the Clerk user id on the checkout (`metadata.userId`,
 * `client_reference_id`); else the Stripe customer's `metadata.userId` says it.
 */
async function checkoutOf(services: Services, session: Stripe.Checkout.Session) {
  const stated = [session.metadata?.userId, session.client_reference_id].find(
    (id): id is string => typeof id === 'string' && USER_ID_PATTERN.test(id),
  );
  const customerId = typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null);
  const customer = !stated && customerId ? await services.stripe.getCustomer(customerId) : null;
  const linked = customer && !customer.customer.deleted ? customer.customer.metadata?.userId : undefined;
  return {
    email: session.customer_details?.email ?? session.customer_email ?? null,
    amountTotal: session.amount_total,
    currency: session.currency,
    status: session.status,
    paymentStatus: session.payment_status,
    created: session.created,
    customerId,
    paymentIntentId:
      typeof session.payment_intent === 'string'
        ? session.payment_intent
        : (session.payment_intent?.id ?? null),
    userId: stated ?? (linked && USER_ID_PATTERN.test(linked) ? linked : null),
  };
}

/** The window around a checkout in which its events are looked for: Stripe retries for 3 days. */
const EVENT_WINDOW_SECONDS = 3 * 86_400;

/** `GET /api/sessions/:sessionId/timeline`: the checkout, its webhook deliveries, the app's writes, repairs. */
export async function sessionTimeline(services: Services, sessionId: string) {
  const session = await services.stripe.getCheckoutSession(sessionId);
  const [snapshots, events, audit] = await Promise.all([
    readSessionSnapshots(services.redis, services.keys, [sessionId]),
    session
      ? services.stripe.customerHistory.checkoutEvents({
          gte: session.created,
          lte: session.created + EVENT_WINDOW_SECONDS,
        })
      : [],
    auditAbout(services, sessionId),
  ]);
  const snapshot = snapshots[0];
  if (!session && !snapshot?.prompt.exists && !snapshot?.session.exists && !snapshot?.webhook.exists) {
    throw new AppError('SESSION_NOT_FOUND', `No checkout session ${sessionId} in Stripe or Redis.`);
  }
  const about = events.filter((event) => (event.data.object as { id?: unknown }).id === sessionId);
  return {
    checkout: session ? await checkoutOf(services, session) : null,
    failedDeliveries: about
      .filter((event) => event.pending_webhooks > 0)
      .map((event) => ({ eventId: event.id, type: event.type, created: event.created })),
    items: sessionStory({
      session: session && checkoutFacts(session),
      events: about.map(storyEventFacts),
      records: snapshot ? [snapshot.prompt, snapshot.webhook, snapshot.session] : [],
      audit,
    }),
  };
}
