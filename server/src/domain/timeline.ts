import type { AuditEntry } from '@cache-doctor/shared';
import { jsonRecordOrNull } from './cached-value';
import type { KeyState } from './session-snapshot';
import type { CheckoutFacts } from './session-sweep';

/**
 * Timelines (SPEC §6.2): what happened to a customer or a checkout, from Stripe's objects, the
 * app's records and Cache Doctor's audit log, as one list in plain words, newest first. Pure: the
 * service fetches, `adapters/stripe-facts.ts` turns Stripe's objects into the facts below, this only reads.
 */

/** A checkout session: the sweep's facts, less the email. */
export type StoryCheckout = Omit<CheckoutFacts, 'customerEmail'>;

export interface StorySubscription {
  id: string;
  /** unix seconds */
  created: number;
  /** unix seconds */
  canceledAt: number | null;
  /** the first item's price nickname */
  priceNickname: string | null;
}

export interface StoryInvoice {
  id: string;
  /** Stripe's status: draft, open, paid, uncollectible, void */
  status: string | null;
  amountPaid: number;
  amountDue: number;
  currency: string;
  /** `subscription_cycle` for a renewal */
  billingReason: string | null;
  /** unix seconds */
  paidAt: number | null;
  /** unix seconds */
  created: number;
  attemptCount: number;
}

export interface StoryEvent {
  id: string;
  type: string;
  /** unix seconds */
  created: number;
  /** endpoints the event has not yet been delivered to */
  pendingWebhooks: number;
}

export type StoryRefKind = 'customer' | 'subscription' | 'session' | 'invoice' | 'event' | 'audit';

export interface StoryItem {
  /** ISO time */
  at: string;
  kind: string;
  title: string;
  source: 'stripe' | 'cache' | 'audit';
  /** what the item is about, for a link */
  ref?: { kind: StoryRefKind; id: string };
}

const fromSeconds = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Money as Stripe's dashboard writes it: `€12.00`, `$5.00` (minor units in, currency code in). */
export function money(amount: number | null, currency: string | null): string {
  if (amount === null || !currency) return 'no amount';
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() });
    // zero-decimal currencies (JPY) are not divided
    return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${amount} ${currency}`;
  }
}

/** The app writes `updatedAt` in milliseconds; older versions wrote seconds (SPEC §1.1). */
function updatedAtIso(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  return new Date(value < 1e12 ? value * 1000 : value).toISOString();
}

const AUDIT_WORDS: Record<string, string> = {
  refresh: 'Cache refreshed',
  undo: 'Change undone',
  remove: 'Cache keys removed',
  fix: 'Marked as failed',
  'fix-session': 'Marked as failed',
  generate: 'Video generation started',
};

function auditItem(entry: AuditEntry): StoryItem {
  const words = AUDIT_WORDS[entry.action] ?? `Action "${entry.action}"`;
  const outcome = entry.result === 'applied' ? '' : ` (${entry.result})`;
  return {
    at: isoOrNull(entry.at) ?? entry.at,
    kind: `audit.${entry.action}`,
    title: `${words} by ${entry.actorName ?? entry.actor}${outcome}`,
    source: 'audit',
    ref: { kind: 'audit', id: entry.id },
  };
}

function checkoutItem(session: StoryCheckout): StoryItem {
  const amount = money(session.amountTotal, session.currency);
  const { status, paymentStatus } = session.stripe;
  const state =
    status === 'complete'
      ? paymentStatus === 'paid'
        ? `paid ${amount}`
        : `completed, ${paymentStatus}`
      : status === 'expired'
        ? 'expired unpaid'
        : 'started, not yet paid';
  return {
    at: fromSeconds(session.created),
    kind: `checkout.${status ?? 'unknown'}`,
    title: `Checkout ${state}`,
    source: 'stripe',
    ref: { kind: 'session', id: session.sessionId },
  };
}

function subscriptionItems(subscription: StorySubscription): StoryItem[] {
  const ref = { kind: 'subscription' as const, id: subscription.id };
  const product = subscription.priceNickname;
  const what = product ? `Subscription "${product}"` : 'Subscription';
  const items: StoryItem[] = [
    {
      at: fromSeconds(subscription.created),
      kind: 'subscription.created',
      title: `${what} created`,
      source: 'stripe',
      ref,
    },
  ];
  if (subscription.canceledAt) {
    items.push({
      at: fromSeconds(subscription.canceledAt),
      kind: 'subscription.cancelled',
      title: `${what} cancelled`,
      source: 'stripe',
      ref,
    });
  }
  return items;
}

function invoiceItem(invoice: StoryInvoice): StoryItem | null {
  const amount = money(invoice.status === 'paid' ? invoice.amountPaid : invoice.amountDue, invoice.currency);
  const ref = { kind: 'invoice' as const, id: invoice.id };
  const renewal = invoice.billingReason === 'subscription_cycle';
  if (invoice.status === 'paid') {
    return {
      at: fromSeconds(invoice.paidAt ?? invoice.created),
      kind: renewal ? 'subscription.renewed' : 'invoice.paid',
      title: renewal ? `Subscription renewed: invoice paid, ${amount}` : `Invoice paid, ${amount}`,
      source: 'stripe',
      ref,
    };
  }
  if (invoice.attemptCount > 0 && (invoice.status === 'open' || invoice.status === 'uncollectible')) {
    return {
      at: fromSeconds(invoice.created),
      kind: 'invoice.payment_failed',
      title: `Invoice payment failed (${invoice.attemptCount} ${invoice.attemptCount === 1 ? 'attempt' : 'attempts'}), ${amount} due`,
      source: 'stripe',
      ref,
    };
  }
  return null;
}

/** Newest first; items at the same time keep the order they were given in (a stable sort). */
const newestFirst = (items: StoryItem[]) => items.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));

export interface UserStoryInput {
  customer: { id: string; created: number | null } | null;
  subscriptions: readonly StorySubscription[];
  sessions: readonly StoryCheckout[];
  invoices: readonly StoryInvoice[];
  /** the cached customer record's `updatedAt`, as stored */
  cacheUpdatedAt: unknown;
  audit: readonly AuditEntry[];
}

export function userStory(input: UserStoryInput): StoryItem[] {
  const items: StoryItem[] = [];
  if (input.customer?.created) {
    items.push({
      at: fromSeconds(input.customer.created),
      kind: 'customer.created',
      title: 'Stripe customer created',
      source: 'stripe',
      ref: { kind: 'customer', id: input.customer.id },
    });
  }
  for (const subscription of input.subscriptions) items.push(...subscriptionItems(subscription));
  for (const session of input.sessions) items.push(checkoutItem(session));
  for (const invoice of input.invoices) {
    const item = invoiceItem(invoice);
    if (item) items.push(item);
  }
  const updated = updatedAtIso(input.cacheUpdatedAt);
  if (updated) {
    items.push({ at: updated, kind: 'cache.updated', title: 'Cache record last written', source: 'cache' });
  }
  items.push(...input.audit.map(auditItem));
  return newestFirst(items);
}

export interface SessionStoryInput {
  session: StoryCheckout | null;
  /** Stripe's events about this session */
  events: readonly StoryEvent[];
  /** the app's records of the session: `prompt:`, `webhook:`, `session:` */
  records: readonly KeyState[];
  audit: readonly AuditEntry[];
}

const isoOrNull = (value: unknown) =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : null;

/** The times the app wrote into its records, in words: saved prompt, status changes, the file. */
function recordItems(state: KeyState): StoryItem[] {
  const record = jsonRecordOrNull(state.raw);
  if (!record) return [];
  const items: StoryItem[] = [];
  const created = isoOrNull(record.createdAt);
  if (created) {
    items.push({
      at: created,
      kind: 'app.saved',
      title: `The app saved the order (${state.key})`,
      source: 'cache',
    });
  }
  const at = isoOrNull(record.timestamp);
  if (!at) return items;
  if (typeof record.status === 'string') {
    const file = typeof record.fileId === 'string' ? `, generation ${record.fileId}` : '';
    const error = typeof record.error === 'string' ? `: ${record.error}` : '';
    items.push({
      at,
      kind: `app.status.${record.status}`,
      title: `Status "${record.status}" written${file}${error} (${state.key})`,
      source: 'cache',
    });
  } else {
    const what = typeof record.prompt === 'string' ? 'prompt' : 'record';
    items.push({ at, kind: 'app.saved', title: `The app saved the ${what} (${state.key})`, source: 'cache' });
  }
  return items;
}

function eventItem(event: StoryEvent): StoryItem {
  const ref = { kind: 'event' as const, id: event.id };
  const at = fromSeconds(event.created);
  if (event.pendingWebhooks > 0) {
    return {
      at,
      kind: 'webhook.failed',
      title: `Webhook delivery failed: ${event.type} (${event.id}) never reached the app`,
      source: 'stripe',
      ref,
    };
  }
  return { at, kind: 'webhook.delivered', title: `Webhook delivered: ${event.type}`, source: 'stripe', ref };
}

export function sessionStory(input: SessionStoryInput): StoryItem[] {
  const items: StoryItem[] = [];
  const { session } = input;
  if (session) {
    items.push({
      at: fromSeconds(session.created),
      kind: 'checkout.created',
      title: `Checkout created, ${money(session.amountTotal, session.currency)}`,
      source: 'stripe',
      ref: { kind: 'session', id: session.sessionId },
    });
  }
  for (const event of input.events) {
    // a failed delivery comes after the payment it reports: listed first, as the newer of the two
    if (event.type !== 'checkout.session.completed' || event.pendingWebhooks > 0)
      items.push(eventItem(event));
    if (event.type === 'checkout.session.completed') {
      items.push({
        at: fromSeconds(event.created),
        kind: 'checkout.completed',
        title: 'Checkout completed: the customer paid',
        source: 'stripe',
        ref: { kind: 'event', id: event.id },
      });
    }
  }
  for (const record of input.records) items.push(...recordItems(record));
  items.push(...input.audit.map(auditItem));
  return newestFirst(items);
}
