import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { emptyDataset, type SandboxDataset } from './dataset';
import { OrderedIndex } from './ordered-index';
import { customerShape } from './stripe-shapes';

/** Stripe ids are a prefix and 14–24 base-62 characters. */
export function stripeId(prefix: string, length = 14): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `${prefix}_${[...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

const idOf = (item: { id: string }) => item.id;
const createdOf = (item: { created: number }) => item.created;
/** a subscription's or session's customer as an id, whether Stripe sent it expanded or not */
export const customerIdOf = (customer: string | { id: string } | null): string | null =>
  typeof customer === 'string' ? customer : (customer?.id ?? null);

/** A customer marked deleted in a dataset (`{ ...customer, deleted: true }`) is stored as deleted. */
const isDeleted = (customer: Stripe.Customer) => (customer as { deleted?: unknown }).deleted === true;

export interface CustomerFields {
  email?: string | null;
  name?: string | null;
  description?: string | null;
  phone?: string | null;
  /** merged into the existing metadata; an empty string removes a key, as in Stripe */
  metadata?: Record<string, string> | '';
}

/**
 * Stripe's side of the sandbox. Objects are treated as immutable: an update stores a new object,
 * so a loaded dataset is never modified and `reset()` can reload it without a deep copy.
 */
export class StripeStore {
  readonly customers = new OrderedIndex<Stripe.Customer>(idOf, createdOf);
  readonly subscriptions = new OrderedIndex<Stripe.Subscription>(idOf, createdOf);
  readonly checkoutSessions = new OrderedIndex<Stripe.Checkout.Session>(idOf, createdOf);
  readonly events = new OrderedIndex<Stripe.Event>(idOf, createdOf);
  readonly invoices = new OrderedIndex<Stripe.Invoice>(idOf, createdOf);
  private readonly deletedCustomers = new Map<string, Stripe.DeletedCustomer>();
  /** email → customer ids; Stripe's `email` filter is an exact, case-sensitive match */
  private readonly customerIdsByEmail = new Map<string, Set<string>>();
  private readonly subscriptionsByCustomer = new Map<string, OrderedIndex<Stripe.Subscription>>();
  private loaded: SandboxDataset | undefined;

  /** true when new customers should be live-mode objects (the secret key's mode) */
  livemode = false;

  load(dataset: SandboxDataset): void {
    this.loaded = dataset;
    this.deletedCustomers.clear();
    this.customerIdsByEmail.clear();
    this.subscriptionsByCustomer.clear();
    const live: Stripe.Customer[] = [];
    for (const customer of dataset.stripeCustomers) {
      if (isDeleted(customer))
        this.deletedCustomers.set(customer.id, { id: customer.id, object: 'customer', deleted: true });
      else live.push(customer);
    }
    this.customers.load(live);
    for (const customer of live) this.indexEmail(customer);
    this.subscriptions.load(dataset.stripeSubscriptions);
    for (const subscription of this.subscriptions.values())
      this.subscriptionsOf(customerIdOf(subscription.customer) ?? '').put(subscription);
    this.checkoutSessions.load(dataset.checkoutSessions);
    this.events.load(dataset.events);
    this.invoices.load(dataset.invoices ?? []);
  }

  /** back to the dataset as last loaded */
  reset(): void {
    this.load(this.loaded ?? emptyDataset());
  }

  getCustomer(id: string): Stripe.Customer | Stripe.DeletedCustomer | undefined {
    return this.customers.get(id) ?? this.deletedCustomers.get(id);
  }

  /** the live customers with exactly this email, in list order */
  customersWithEmail(email: string): OrderedIndex<Stripe.Customer> {
    return this.customers.subset(this.customerIdsByEmail.get(email) ?? []);
  }

  /** one customer's subscriptions, every status, in list order */
  subscriptionsOf(customerId: string): OrderedIndex<Stripe.Subscription> {
    let index = this.subscriptionsByCustomer.get(customerId);
    if (!index) {
      index = new OrderedIndex<Stripe.Subscription>(idOf, createdOf);
      this.subscriptionsByCustomer.set(customerId, index);
    }
    return index;
  }

  /** inserts or replaces a customer, keeping the email index right */
  putCustomer(customer: Stripe.Customer): Stripe.Customer {
    const previous = this.customers.get(customer.id);
    if (previous) this.unindexEmail(previous);
    this.deletedCustomers.delete(customer.id);
    this.customers.put(customer);
    this.indexEmail(customer);
    return customer;
  }

  createCustomer(fields: CustomerFields, now = Math.floor(Date.now() / 1000)): Stripe.Customer {
    const { metadata, ...rest } = fields;
    return this.putCustomer(
      customerShape({
        id: stripeId('cus'),
        created: now,
        livemode: this.livemode,
        ...rest,
        metadata: metadata || {},
      }),
    );
  }

  /** undefined when there is no live customer with that id */
  updateCustomer(id: string, fields: CustomerFields): Stripe.Customer | undefined {
    const current = this.customers.get(id);
    if (!current) return undefined;
    const { metadata, ...rest } = fields;
    const next: Stripe.Customer = { ...current, ...rest };
    if (metadata === '') next.metadata = {};
    else if (metadata) {
      const merged: Record<string, string> = { ...current.metadata };
      for (const [key, value] of Object.entries(metadata)) {
        if (value === '') delete merged[key];
        else merged[key] = value;
      }
      next.metadata = merged;
    }
    return this.putCustomer(next);
  }

  deleteCustomer(id: string): Stripe.DeletedCustomer | undefined {
    const current = this.customers.get(id);
    if (!current) return undefined;
    this.unindexEmail(current);
    this.customers.delete(id);
    const deleted: Stripe.DeletedCustomer = { id, object: 'customer', deleted: true };
    this.deletedCustomers.set(id, deleted);
    return deleted;
  }

  putSubscription(subscription: Stripe.Subscription): void {
    const previous = this.subscriptions.get(subscription.id);
    if (previous) this.subscriptionsOf(customerIdOf(previous.customer) ?? '').delete(previous.id);
    this.subscriptions.put(subscription);
    this.subscriptionsOf(customerIdOf(subscription.customer) ?? '').put(subscription);
  }

  putCheckoutSession(session: Stripe.Checkout.Session): void {
    this.checkoutSessions.put(session);
  }

  putEvent(event: Stripe.Event): void {
    this.events.put(event);
  }

  putInvoice(invoice: Stripe.Invoice): void {
    this.invoices.put(invoice);
  }

  private indexEmail(customer: Stripe.Customer): void {
    if (!customer.email) return;
    let ids = this.customerIdsByEmail.get(customer.email);
    if (!ids) {
      ids = new Set();
      this.customerIdsByEmail.set(customer.email, ids);
    }
    ids.add(customer.id);
  }

  private unindexEmail(customer: Stripe.Customer): void {
    if (customer.email) this.customerIdsByEmail.get(customer.email)?.delete(customer.id);
  }
}
