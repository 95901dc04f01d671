import {
  CUSTOMER_HEALTH_CODES,
  CUSTOMER_SYNC_CODES,
  type CustomerHealthCode,
  type CustomerSyncCode,
  type Role,
  SESSION_CODES,
  type SessionCode,
  type SessionLayout,
} from '@cache-doctor/shared';
import type { UserJSON } from '@clerk/backend';
import type Stripe from 'stripe';
import { DEFAULT_KEY_PATTERNS } from '../config';
import { createKeys, type Keys } from '../keys';
import { emptyDataset, type SandboxDataset, type SeedRedisWrite } from './dataset';
import { clerkUserWire } from './seed-clerk-wire';
import {
  makeSubscription,
  planUsers,
  subscriptionRecord,
  type UserPlan,
  writeCustomerCache,
} from './seed-customers';
import { ids, Random } from './seed-random';
import { buildSessions, type SessionOwner } from './seed-sessions';
import { fullName, otherDomain, type PersonName, pickEmail, pickName } from './seed-text';
import { DAY_MS, DAY_S, HOUR_MS, MINUTE_MS } from './seed-time';
import { buildCatalog, type CatalogPrice, customerWire } from './seed-wire';

/**
 * The seeder: a realistic, deterministic world of Clerk users, Stripe customers, subscriptions,
 * checkout sessions and events, plus the Redis cache the app would have written beside them —
 * mostly healthy, with every problem of SPEC §2 planted on purpose and listed in `planted`.
 *
 * Two kinds of planted problems:
 * - **Redis alone** (the health codes, and every session code except PAYMENT_NOT_COMPLETED and
 *   NOT_FOUND): the upstreams are consistent, the cache keys are wrong. Diagnosable from Redis.
 * - **Upstream state** (the sync codes, PAYMENT_NOT_COMPLETED, NOT_FOUND): the cache is shaped
 *   exactly as the app writes it, but Clerk or Stripe disagree with it (user deleted in Clerk,
 *   customer deleted in Stripe, email/name/subscriptions changed upstream, payment unpaid, a paid
 *   session Redis never heard of). Only a diagnosis that reads the upstreams sees them.
 *
 * Each broken user carries exactly one problem, so tests can assert "exactly these codes".
 *
 * Failed webhook deliveries: an event whose `pending_webhooks > 0` is one Stripe has not yet
 * delivered successfully (it is still retrying) — that is what `GET /v1/events?delivery_success=false`
 * lists; `pending_webhooks === 0` means delivered. `isFailedDelivery()` below is the one rule, and
 * `planted.failedEventIds` names them: exactly one `checkout.session.completed` per WEBHOOK_MISSING
 * session.
 */

export type CustomerCode = CustomerHealthCode | CustomerSyncCode;
export const CUSTOMER_CODES: readonly CustomerCode[] = [...CUSTOMER_HEALTH_CODES, ...CUSTOMER_SYNC_CODES];

export interface BuildSeedOptions {
  /** Clerk users (incl. the one planted as deleted from Clerk); default 200, at most 100,000 */
  users?: number;
  /** PRNG seed; the same seed (and `now`) gives the same seed byte for byte. Default 1. */
  seed?: number;
  /** "now" in ms; every timestamp is relative to it. Default `Date.now()`. */
  now?: number;
  /** key patterns to write; default the app's (`user:{userId}` ...) */
  keys?: Keys;
  /** Stripe live mode (`cs_live_...`, `livemode: true`); default false (test mode) */
  livemode?: boolean;
}

export type PlantedLayout = SessionLayout | 'none';

export interface PlantedSession {
  layout: PlantedLayout;
  code: SessionCode;
  userId: string;
  customerId: string;
}

export interface Planted {
  /** every user id (Clerk users and the cache-only orphans) → its planted codes; [] = healthy */
  users: Record<string, CustomerCode[]>;
  /** every checkout session id (in Stripe) → its Redis layout and expected diagnosis */
  sessions: Record<string, PlantedSession>;
  /** code → user ids (customer codes) or session ids (session codes); every code has an entry */
  byCode: Record<CustomerCode | SessionCode, string[]>;
  /** `checkout.session.completed` events whose delivery failed (`pending_webhooks > 0`) */
  failedEventIds: string[];
  /** user id → Stripe customer id as the cache knows it (null for NO_STRIPE_CUSTOMER) */
  customerIds: Record<string, string | null>;
  /** healthy users that look odd on purpose and must NOT be flagged (and must survive repairs) */
  traps: {
    /** `updatedAt` written in unix seconds (older app versions); valid */
    updatedAtSeconds: string[];
    /** customer and subscription records with fields the app added later; repairs must keep them */
    extraFields: string[];
  };
}

export interface SeedStaff {
  role: Role;
  /** a Clerk user with `public_metadata.cacheDoctorRole`; not in `dataset.clerkUsers` (add it to sign in with Clerk) */
  user: UserJSON;
}

export interface Seed {
  dataset: SandboxDataset;
  redisWrites: SeedRedisWrite[];
  planted: Planted;
  staff: SeedStaff[];
}

/** true when Stripe has not yet delivered the event successfully (see the module comment) */
export function isFailedDelivery(event: Pick<Stripe.Event, 'pending_webhooks'>): boolean {
  return event.pending_webhooks > 0;
}

export const MAX_SEED_USERS = 100_000;

export function buildSeed(options: BuildSeedOptions = {}): Seed {
  const n = options.users ?? 200;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEED_USERS) {
    throw new RangeError(`users must be an integer from 1 to ${MAX_SEED_USERS}, got ${n}`);
  }
  const r = new Random(options.seed ?? 1);
  const nowMs = options.now ?? Date.now();
  const nowSec = Math.floor(nowMs / 1000);
  const keys = options.keys ?? createKeys(DEFAULT_KEY_PATTERNS, 'cache-doctor:');
  const livemode = options.livemode ?? false;

  const dataset = emptyDataset();
  const writes: SeedRedisWrite[] = [];
  const planted: Planted = {
    users: {},
    sessions: {},
    byCode: Object.fromEntries(
      [...CUSTOMER_CODES, ...SESSION_CODES].map((c) => [c, []]),
    ) as unknown as Planted['byCode'],
    failedEventIds: [],
    customerIds: {},
    traps: { updatedAtSeconds: [], extraFields: [] },
  };
  const set = (key: string, value: string, ttlSeconds: number | null) =>
    writes.push({ key, value, ttlSeconds });

  const catalog = buildCatalog(r, nowSec);
  const plans = planUsers(r, n);
  const takenEmails = new Set<string>();
  const sessionOwners: SessionOwner[] = [];
  let noTtlRotation = 0;
  let staleRotation = 0;
  let deletedRotation = 0;

  for (let i = 0; i < n; i++) {
    const plan = plans[i] as UserPlan;
    const { userId, code } = plan;
    planted.users[userId] = code ? [code] : [];
    if (code) planted.byCode[code].push(userId);
    if (plan.trap === 'seconds') planted.traps.updatedAtSeconds.push(userId);
    if (plan.trap === 'extra') planted.traps.extraFields.push(userId);

    // --- the person, as Clerk knows them -------------------------------------------------
    const name = pickName(r);
    const email = pickEmail(r, name, takenEmails);
    const clerkCreatedMs = nowMs - 2 * HOUR_MS - Math.floor(r.next() * 730 * DAY_MS);
    const emailCreatedMs = clerkCreatedMs;
    let clerkName: PersonName = name;
    const clerkEmails = [{ id: ids.clerkEmail(r), address: email, createdAt: emailCreatedMs }];
    let primary = 0;
    if (code === 'EMAIL_MISMATCH_CLERK') {
      // They added a new address and made it primary; the cache (and Stripe) still have the old one.
      const changedAt = clerkCreatedMs + Math.floor((nowMs - clerkCreatedMs) * r.next());
      clerkEmails.push({
        id: ids.clerkEmail(r),
        address: pickEmail(r, name, takenEmails, otherDomain(r, email)),
        createdAt: changedAt,
      });
      primary = 1;
    }
    if (code === 'NAME_MISMATCH_CLERK') {
      // A new last name in Clerk (and Stripe, synced from it); the cache kept the old name.
      let lastName = pickName(r).lastName ?? 'Nakamura';
      while (lastName === name.lastName) lastName = pickName(r).lastName ?? 'Nakamura';
      clerkName = { firstName: name.firstName, lastName };
    }
    const lastSignInAt = clerkCreatedMs + Math.floor((nowMs - clerkCreatedMs) * r.next());
    const clerkUser = clerkUserWire(r, {
      id: userId,
      firstName: clerkName.firstName,
      lastName: clerkName.lastName,
      emails: clerkEmails,
      primary,
      createdAt: clerkCreatedMs,
      lastSignInAt,
      publicMetadata: r.chance(0.6) ? { onboardingComplete: true } : {},
    });
    if (code !== 'CLERK_USER_NOT_FOUND') dataset.clerkUsers.push(clerkUser);

    if (code === 'NO_STRIPE_CUSTOMER') {
      // Signed up, never paid: no Stripe customer, nothing cached. Not a cache error.
      planted.customerIds[userId] = null;
      continue;
    }

    // --- the Stripe customer and subscriptions -------------------------------------------
    const customerId = ids.customer(r);
    planted.customerIds[userId] = customerId;
    const clerkCreatedSec = Math.floor(clerkCreatedMs / 1000);
    const customerCreated = Math.min(clerkCreatedSec + r.int(60, 14 * DAY_S), nowSec - 3600);
    let subCount = r.weighted([
      [0, 35],
      [1, 50],
      [2, 15],
    ] as const);
    if (code === 'STRIPE_CUSTOMER_NOT_FOUND') subCount = 0;
    if ((code === 'SUBSCRIPTION_MISSING' || code === 'SUBSCRIPTIONS_STALE') && subCount === 0) subCount = 1;

    const paymentMethod = subCount > 0 || r.chance(0.2) ? ids.paymentMethod(r) : null;
    const subs: Stripe.Subscription[] = [];
    const usedProducts = new Set<string>();
    for (let s = 0; s < subCount; s++) {
      let price: CatalogPrice = r.pick(catalog);
      while (usedProducts.has(price.product)) price = r.pick(catalog);
      usedProducts.add(price.product);
      subs.push(makeSubscription(r, { customerId, customerCreated, nowSec, price, paymentMethod, livemode }));
    }

    // What the cache was written from: Stripe as it was at the last refresh.
    const cachedName = fullName(name) || null;
    const cacheSubs = subs.map((sub) => subscriptionRecord(sub, nowMs - r.int(1, 60) * MINUTE_MS));
    let stripeSubs = subs;
    if (code === 'SUBSCRIPTIONS_STALE') {
      if (staleRotation++ % 2 === 0) {
        // Canceled in Stripe since; the cache still says active.
        const first = subs[0] as Stripe.Subscription;
        const canceled = {
          ...first,
          status: 'canceled',
          canceled_at: nowSec - r.int(1, 20) * 3600,
          ended_at: nowSec - 3600,
          cancel_at_period_end: false,
        } as Stripe.Subscription;
        (cacheSubs[0] as Record<string, unknown>).status = 'active';
        stripeSubs = [canceled, ...subs.slice(1)];
      } else {
        // A new subscription in Stripe the cache has not heard of.
        const product = catalog.find((p) => !usedProducts.has(p.product)) ?? (catalog[0] as CatalogPrice);
        stripeSubs = [
          ...subs,
          makeSubscription(r, {
            customerId,
            customerCreated: nowSec - 6 * 3600,
            nowSec,
            price: product,
            paymentMethod,
            livemode,
          }),
        ];
      }
    }
    const stripeEmail =
      code === 'EMAIL_MISMATCH_STRIPE' ? pickEmail(r, name, takenEmails, otherDomain(r, email)) : email;
    const stripeName = code === 'NAME_MISMATCH_CLERK' ? fullName(clerkName) : cachedName;
    const customer = customerWire(r, {
      id: customerId,
      email: stripeEmail,
      name: stripeName,
      userId,
      created: customerCreated,
      defaultPaymentMethod: paymentMethod,
      delinquent: stripeSubs.some((s) => s.status === 'past_due' || s.status === 'unpaid'),
      hasCurrency: stripeSubs.length > 0,
      livemode,
    });
    if (code !== 'STRIPE_CUSTOMER_NOT_FOUND') {
      dataset.stripeCustomers.push(customer);
      for (const sub of stripeSubs) dataset.stripeSubscriptions.push(sub);
    } else if (deletedRotation++ % 2 === 0) {
      // Deleted in Stripe: the sandbox answers `{ id, object: 'customer', deleted: true }`. The
      // other half are simply unknown to Stripe (404 resource_missing).
      dataset.stripeCustomers.push({ ...customer, deleted: true } as unknown as Stripe.Customer);
    }

    // --- the cache, exactly as the app writes it -----------------------------------------
    const updatedAt = nowMs - r.int(1, 60) * MINUTE_MS;
    const record: Record<string, unknown> = {
      stripeCustomerId: customerId,
      email,
      userId,
      name: cachedName,
      subscriptions: subs.map((s) => s.id),
      // a card changed in Stripe since the last refresh
      defaultPaymentMethod: code === 'PAYMENT_METHOD_STALE' ? ids.paymentMethod(r) : paymentMethod,
      created: customerCreated,
      updatedAt,
    };
    if (plan.trap === 'seconds') {
      record.updatedAt = Math.floor(updatedAt / 1000);
      for (const sub of cacheSubs) sub.updatedAt = Math.floor((sub.updatedAt as number) / 1000);
    }
    if (plan.trap === 'extra') {
      const active = subs.some((s) => s.status === 'active' || s.status === 'trialing');
      record.hasActiveSubscription = active;
      record.planName = active
        ? (catalog.find((p) => p.id === cacheSubs[0]?.priceId)?.productName ?? null)
        : null;
      record.source = 'checkout.session.completed';
      for (const sub of cacheSubs) sub.interval = catalog.find((p) => p.id === sub.priceId)?.interval ?? null;
    }
    writeCustomerCache(r, keys, set, { userId, customerId, email, record, subs: cacheSubs }, code, {
      otherUserId: (plans[(i + 1) % n] as UserPlan).userId,
      noTtlSlot: code === 'NO_TTL' ? noTtlRotation++ : 0,
    });

    const canBuy = code !== 'CLERK_USER_NOT_FOUND' && code !== 'STRIPE_CUSTOMER_NOT_FOUND';
    if (canBuy && r.chance(0.5)) {
      const count = r.weighted([
        [1, 60],
        [2, 30],
        [3, 10],
      ] as const);
      for (let k = 0; k < count; k++)
        sessionOwners.push({ userId, customerId, email: stripeEmail, name: stripeName });
    }
  }

  buildSessions(r, { keys, set, dataset, planted, owners: sessionOwners, nowMs, livemode });
  return { dataset, redisWrites: writes, planted, staff: buildStaff(r, nowMs, takenEmails) };
}

/** The seed's upstream data with its staff accounts added to Clerk, so they can sign in with Clerk. */
export function datasetWithStaff(seed: Pick<Seed, 'dataset' | 'staff'>): SandboxDataset {
  return { ...seed.dataset, clerkUsers: [...seed.dataset.clerkUsers, ...seed.staff.map((s) => s.user)] };
}

/** Three staff accounts for `AUTH_MODE=clerk`, one per role (SPEC §8). */
function buildStaff(r: Random, nowMs: number, takenEmails: Set<string>): SeedStaff[] {
  return (['support', 'ops', 'admin'] as const).map((role) => {
    const name = pickName(r);
    const createdAt = nowMs - r.int(100, 600) * DAY_MS;
    return {
      role,
      user: clerkUserWire(r, {
        id: ids.clerkUser(r),
        firstName: name.firstName,
        lastName: name.lastName,
        emails: [
          { id: ids.clerkEmail(r), address: pickEmail(r, name, takenEmails, 'app.example.com'), createdAt },
        ],
        primary: 0,
        createdAt,
        lastSignInAt: nowMs - r.int(1, 48) * HOUR_MS,
        publicMetadata: { cacheDoctorRole: role },
      }),
    };
  });
}

export {
  buildCheckoutSweepLoad,
  buildSessionCacheLoad,
  type CheckoutSweepLoad,
  writeSeedToRedis,
} from './seed-load';
