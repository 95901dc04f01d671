import {
  CUSTOMER_CACHE_TTL_SECONDS,
  CUSTOMER_HEALTH_CODES,
  CUSTOMER_SYNC_CODES,
  type CustomerHealthCode,
  type CustomerSyncCode,
  type Role,
  SESSION_CODES,
  SESSION_TTL_SECONDS,
  type SessionCode,
  type SessionLayout,
} from '@cache-doctor/shared';
import type { UserJSON } from '@clerk/backend';
import type { Redis } from 'ioredis';
import type Stripe from 'stripe';
import { DEFAULT_KEY_PATTERNS } from '../config';
import { createKeys, type Keys } from '../keys';
import type { GenerationFileWire, SandboxDataset, SeedRedisWrite } from './dataset';
import { checkoutCompletedEventWire, checkoutSessionWire } from './seed-checkout-wire';
import { clerkUserWire } from './seed-clerk-wire';
import {
  GENERATION_ERRORS,
  makePrompt,
  PROMPT_BUCKETS,
  pickPromptBucket,
  RESOLUTIONS,
  TOOLS,
  type Tool,
  VIDEO_STYLES,
} from './seed-prompts';
import { ids, Random } from './seed-random';
import { fullName, otherDomain, type PersonName, pickEmail, pickName } from './seed-text';
import { buildCatalog, type CatalogPrice, customerWire, subscriptionWire } from './seed-wire';

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

/**
 * Share of users planted with each code (about 22 % broken in all), at least one each. Below ~90
 * users not every code fits: planting stops once half the users are broken.
 */
const CUSTOMER_CODE_RATES: Record<CustomerCode, number> = {
  MAPPING_MISSING: 0.015,
  MAPPING_MALFORMED: 0.01,
  CUSTOMER_MISSING: 0.01,
  CUSTOMER_MALFORMED: 0.01,
  FIELDS_MISSING: 0.01,
  FIELD_TYPE_INVALID: 0.01,
  USER_MISMATCH: 0.01,
  CUSTOMER_ID_MISMATCH: 0.01,
  EMAIL_MAPPING_MISSING: 0.01,
  SUBSCRIPTION_MISSING: 0.01,
  LEGACY_KEYS: 0.015,
  NO_TTL: 0.015,
  CLERK_USER_NOT_FOUND: 0.01,
  EMAIL_MISMATCH_CLERK: 0.012,
  NAME_MISMATCH_CLERK: 0.01,
  STRIPE_CUSTOMER_NOT_FOUND: 0.01,
  EMAIL_MISMATCH_STRIPE: 0.01,
  SUBSCRIPTIONS_STALE: 0.015,
  PAYMENT_METHOD_STALE: 0.01,
  NO_STRIPE_CUSTOMER: 0.02,
};
const TRAP_RATE = 0.05;

/** Session problems per layout, as a share of all checkout sessions (~14 % broken). */
const SESSION_PLAN: readonly (readonly [SessionCode, PlantedLayout, number])[] = [
  ['NOT_FOUND', 'none', 0.012],
  ['WEBHOOK_MISSING', 'three-key', 0.012],
  ['WEBHOOK_MISSING', 'session-only', 0.015],
  ['SESSION_MAPPING_MISSING', 'three-key', 0.01],
  ['PROMPT_MISSING', 'three-key', 0.01],
  ['PROMPT_MISSING', 'session-only', 0.008],
  ['WEBHOOK_ERROR', 'three-key', 0.01],
  ['WEBHOOK_ERROR', 'session-only', 0.01],
  ['STUCK', 'three-key', 0.01],
  ['STUCK', 'session-only', 0.01],
  ['PAYMENT_NOT_COMPLETED', 'three-key', 0.01],
  ['PAYMENT_NOT_COMPLETED', 'session-only', 0.01],
  ['MALFORMED', 'three-key', 0.008],
  ['MALFORMED', 'session-only', 0.008],
  ['GENERATION_FAILED', 'three-key', 0.01],
  ['GENERATION_FAILED', 'session-only', 0.01],
  ['GENERATION_STUCK', 'three-key', 0.008],
  ['GENERATION_STUCK', 'session-only', 0.008],
];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const DAY_S = 86_400;

/** How many videos a checkout buys: mostly one. */
const pickVideoCount = (r: Random) =>
  r.weighted([
    [1, 70],
    [2, 15],
    [3, 8],
    [4, 7],
  ] as const);

/** The newest a seeded webhook status may be: a minute past the default 15-minute stuck limit, so a `pending` status is STUCK. */
const latestWebhookMs = (nowMs: number) => nowMs - 15 * MINUTE_MS - 60_000;

/** Statuses of healthy subscriptions. No `canceled`: Stripe's customer `subscriptions` list leaves those out. */
const HEALTHY_SUB_STATUSES: readonly (readonly [Stripe.Subscription.Status, number])[] = [
  ['active', 70],
  ['trialing', 10],
  ['past_due', 8],
  ['paused', 5],
  ['incomplete', 4],
  ['unpaid', 3],
];

interface UserPlan {
  userId: string;
  code: CustomerCode | null;
  trap: 'seconds' | 'extra' | null;
}

/** Which user gets which problem: spread at random over the id space, in O(n). */
function planUsers(r: Random, n: number): UserPlan[] {
  const userIds = Array.from({ length: n }, () => ids.clerkUser(r));
  const plans: UserPlan[] = userIds.map((userId) => ({ userId, code: null, trap: null }));
  const order = r.shuffle(Array.from({ length: n }, (_, i) => i));
  const budget = Math.floor(n / 2);
  const codes: CustomerCode[] = [];
  for (const code of CUSTOMER_CODES) {
    for (let k = Math.max(1, Math.round(n * CUSTOMER_CODE_RATES[code])); k > 0; k--) codes.push(code);
  }
  // Round-robin so that a tight budget still covers as many distinct codes as possible.
  const byCode = CUSTOMER_CODES.map((code) => codes.filter((c) => c === code));
  const interleaved: CustomerCode[] = [];
  for (let round = 0; interleaved.length < codes.length; round++) {
    for (const list of byCode) if (list[round]) interleaved.push(list[round] as CustomerCode);
  }
  let cursor = 0;
  for (const code of interleaved.slice(0, budget)) (plans[order[cursor++] as number] as UserPlan).code = code;
  const traps = Math.max(1, Math.round(n * TRAP_RATE));
  for (const trap of ['seconds', 'extra'] as const) {
    for (let k = 0; k < traps && cursor < n; k++) (plans[order[cursor++] as number] as UserPlan).trap = trap;
  }
  return plans;
}

interface SessionOwner {
  userId: string;
  customerId: string;
  email: string;
  name: string | null;
}

interface CacheView {
  userId: string;
  customerId: string;
  email: string;
  record: Record<string, unknown>;
  subs: Record<string, unknown>[];
}

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

  const dataset: SandboxDataset = {
    clerkUsers: [],
    stripeCustomers: [],
    stripeSubscriptions: [],
    checkoutSessions: [],
    events: [],
    generationFiles: [],
  };
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

function makeSubscription(
  r: Random,
  o: {
    customerId: string;
    customerCreated: number;
    nowSec: number;
    price: CatalogPrice;
    paymentMethod: string | null;
    livemode: boolean;
  },
): Stripe.Subscription {
  const status = r.weighted(HEALTHY_SUB_STATUSES);
  const created = o.customerCreated + Math.floor((o.nowSec - o.customerCreated) * r.next() * 0.5);
  const period = o.price.interval === 'year' ? 365 * DAY_S : 30 * DAY_S;
  const elapsed = Math.max(0, o.nowSec - created);
  const periodStart = status === 'trialing' ? created : created + Math.floor(elapsed / period) * period;
  const periodEnd = status === 'trialing' ? created + 14 * DAY_S : periodStart + period;
  return subscriptionWire(r, {
    id: ids.subscription(r),
    customer: o.customerId,
    status,
    price: o.price,
    created,
    periodStart,
    periodEnd,
    cancelAtPeriodEnd: status === 'active' && r.chance(0.08),
    defaultPaymentMethod: o.paymentMethod,
    livemode: o.livemode,
  });
}

/** The app's `subscription:` record for a Stripe subscription (period from its first item). */
function subscriptionRecord(sub: Stripe.Subscription, updatedAt: number): Record<string, unknown> {
  const item = sub.items.data[0];
  const product = item?.price.product;
  return {
    id: sub.id,
    customerId: sub.customer as string,
    status: sub.status,
    priceId: item?.price.id ?? null,
    productId: typeof product === 'string' ? product : (product?.id ?? null),
    currentPeriodEnd: item?.current_period_end ?? null,
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    created: sub.created,
    updatedAt,
  };
}

type SetWrite = (key: string, value: string, ttlSeconds: number | null) => void;

/**
 * Writes one user's customer cache the way the app does (`user:`, `email:`, `customer:`, each
 * `subscription:`, 24 h TTL), then applies the one Redis-side problem planted on the user, if any.
 * Sync codes leave the cache untouched: their problem lives upstream.
 */
function writeCustomerCache(
  r: Random,
  keys: Keys,
  set: SetWrite,
  view: CacheView,
  code: CustomerCode | null,
  ctx: { otherUserId: string; noTtlSlot: number },
): void {
  const ttl = CUSTOMER_CACHE_TTL_SECONDS;
  const { userId, customerId, email, subs } = view;
  const record = { ...view.record };
  if (code === 'FIELDS_MISSING') delete record.stripeCustomerId; // absent, not "different": one code only
  if (code === 'FIELD_TYPE_INVALID') record.created = String(record.created); // "1709251200", a string
  if (code === 'USER_MISMATCH') record.userId = ctx.otherUserId; // another real user
  if (code === 'CUSTOMER_ID_MISMATCH') record.stripeCustomerId = ids.customer(r); // e.g. after a merge

  // NO_TTL: one of the user's keys never expires, rotating through the four kinds.
  const noTtlKind =
    code === 'NO_TTL' ? (['user', 'email', 'customer', 'subscription'] as const)[ctx.noTtlSlot % 4] : null;
  const ttlFor = (kind: 'user' | 'email' | 'customer' | 'subscription') =>
    kind === noTtlKind || (noTtlKind === 'subscription' && subs.length === 0 && kind === 'customer')
      ? null
      : ttl;

  if (code !== 'MAPPING_MISSING') {
    set(
      keys.user(userId),
      code === 'MAPPING_MALFORMED' ? JSON.stringify({ customerId }) : customerId,
      ttlFor('user'),
    );
  }
  if (code !== 'EMAIL_MAPPING_MISSING') set(keys.email(email), customerId, ttlFor('email'));
  if (code !== 'CUSTOMER_MISSING') {
    // `[object Object]`: the classic bug of writing an object without JSON.stringify.
    set(
      keys.customer(customerId),
      code === 'CUSTOMER_MALFORMED' ? '[object Object]' : JSON.stringify(record),
      ttlFor('customer'),
    );
  }
  subs.forEach((sub, index) => {
    if (code === 'SUBSCRIPTION_MISSING' && index === 0) return;
    set(keys.subscription(sub.id as string), JSON.stringify(sub), index === 0 ? ttlFor('subscription') : ttl);
  });

  if (code === 'LEGACY_KEYS') {
    // The older layout, never expiring; reported as LEGACY_KEYS (not NO_TTL, which is about current keys).
    const first = subs[0];
    set(keys.legacy.user(userId), customerId, null);
    set(keys.legacy.email(email), customerId, null);
    set(
      keys.legacy.customer(customerId),
      JSON.stringify({
        id: customerId,
        email,
        userId,
        name: view.record.name,
        subscriptionId: first?.id ?? null,
        subscriptionStatus: first?.status ?? null,
        updatedAt: Math.floor((view.record.updatedAt as number) / 1000) - r.int(100, 400) * DAY_S,
      }),
      null,
    );
    if (first) {
      set(
        keys.legacy.subscription(first.id as string),
        JSON.stringify({
          id: first.id,
          status: first.status,
          priceId: first.priceId,
          currentPeriodEnd: first.currentPeriodEnd,
        }),
        null,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checkout sessions (SPEC §1.2)

interface SessionContext {
  keys: Keys;
  set: SetWrite;
  dataset: SandboxDataset;
  planted: Planted;
  owners: SessionOwner[];
  nowMs: number;
  livemode: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

function buildSessions(r: Random, ctx: SessionContext): void {
  const { keys, set, dataset, planted, owners, nowMs, livemode } = ctx;
  const total = owners.length;
  const plan: (readonly [SessionCode, PlantedLayout])[] = [];
  for (const [code, layout, rate] of SESSION_PLAN) {
    for (let k = Math.max(1, Math.round(total * rate)); k > 0; k--) plan.push([code, layout]);
  }
  plan.length = Math.min(plan.length, Math.floor(total / 2));
  while (plan.length < total) plan.push(['OK', r.chance(0.4) ? 'three-key' : 'session-only']);
  r.shuffle(plan);

  const rotation: SessionRotation = { promptsStored: 0, malformed: 0, stuck: 0, generationFailed: 0 };
  owners.forEach((owner, index) => {
    const [code, layout] = plan[index] as readonly [SessionCode, PlantedLayout];
    const sessionId = ids.checkoutSession(r, livemode);
    planted.sessions[sessionId] = { layout, code, userId: owner.userId, customerId: owner.customerId };
    planted.byCode[code].push(sessionId);

    const unpaid = code === 'PAYMENT_NOT_COMPLETED';
    // Abandoned-open checkouts expire after 24 h, so those are recent; async payments (complete but
    // unpaid, e.g. bank debits) and everything else spread over the past week. Nothing is younger
    // than 25 minutes, so a `pending` status is unambiguously STUCK.
    const open = unpaid && r.chance(0.5);
    const createdMs =
      nowMs - (open ? r.int(25 * MINUTE_MS, 20 * HOUR_MS) : r.int(25 * MINUTE_MS, 7 * DAY_MS));
    const completedMs = createdMs + r.int(30_000, 4 * MINUTE_MS);
    const webhookMs = Math.min(completedMs + r.int(2_000, 30_000), latestWebhookMs(nowMs));
    const tool = r.pick(TOOLS);
    const videoCount = pickVideoCount(r);

    const session = checkoutSessionWire(r, {
      id: sessionId,
      created: Math.floor(createdMs / 1000),
      customer: owner.customerId,
      email: owner.email,
      name: owner.name,
      userId: owner.userId,
      amount: tool.pricePerVideo * videoCount,
      status: open ? 'open' : 'complete',
      paymentStatus: unpaid ? 'unpaid' : 'paid',
      toolSlug: tool.slug,
      videoCount,
      livemode,
    });
    dataset.checkoutSessions.push(session);
    if (!open) {
      const failed = code === 'WEBHOOK_MISSING';
      const event = checkoutCompletedEventWire(r, session, Math.floor(completedMs / 1000), failed);
      dataset.events.push(event);
      if (failed) planted.failedEventIds.push(event.id);
    }
    if (layout === 'none') return;
    writeSessionCache(
      r,
      keys,
      set,
      { sessionId, layout, code, tool, videoCount, createdMs, webhookMs, nowMs },
      rotation,
      dataset.generationFiles,
    );
  });
}

export interface SessionCacheLoadOptions {
  /** checkout sessions to write */
  sessions: number;
  /** PRNG seed (default 1) */
  seed?: number;
  /** "now" in ms (default `Date.now()`) */
  now?: number;
  keys?: Keys;
  livemode?: boolean;
}

/**
 * Only the Redis side of many checkout sessions, for load tests: `buildSeed` stops at 100,000
 * users, who buy fewer sessions than that, while the bench wants 100,000 prompt keys. Same
 * layouts, record shapes, prompt lengths and share of planted problems as the sessions of
 * `buildSeed` (minus the ones Redis never heard of); nothing upstream, nothing listed as planted.
 */
export function buildSessionCacheLoad(options: SessionCacheLoadOptions): SeedRedisWrite[] {
  const r = new Random(options.seed ?? 1);
  const nowMs = options.now ?? Date.now();
  const keys = options.keys ?? createKeys(DEFAULT_KEY_PATTERNS, 'cache-doctor:');
  const livemode = options.livemode ?? false;
  const writes: SeedRedisWrite[] = [];
  const set: SetWrite = (key, value, ttlSeconds) => writes.push({ key, value, ttlSeconds });
  const plan: (readonly [SessionCode, SessionLayout])[] = [];
  for (const [code, layout, rate] of SESSION_PLAN) {
    if (layout === 'none') continue;
    for (let k = Math.max(1, Math.round(options.sessions * rate)); k > 0; k--) plan.push([code, layout]);
  }
  plan.length = Math.min(plan.length, Math.floor(options.sessions / 2));
  while (plan.length < options.sessions) plan.push(['OK', r.chance(0.4) ? 'three-key' : 'session-only']);
  r.shuffle(plan);
  const rotation: SessionRotation = { promptsStored: 0, malformed: 0, stuck: 0, generationFailed: 0 };
  for (const [code, layout] of plan) {
    const createdMs = nowMs - r.int(25 * MINUTE_MS, 7 * DAY_MS);
    const webhookMs = Math.min(createdMs + r.int(4 * MINUTE_MS, 5 * MINUTE_MS), latestWebhookMs(nowMs));
    const videoCount = pickVideoCount(r);
    const input = {
      sessionId: ids.checkoutSession(r, livemode),
      layout,
      code,
      tool: r.pick(TOOLS),
      videoCount,
      createdMs,
      webhookMs,
      nowMs,
    };
    writeSessionCache(r, keys, set, input, rotation);
  }
  return writes;
}

export interface CheckoutSweepLoadOptions {
  /** completed checkout sessions inside the window, paid and unpaid together */
  completed: number;
  /** of those, paid but never processed (the dropped webhook update, WEBHOOK_MISSING), layouts alternating */
  unprocessed: number;
  /** of those, complete but unpaid (a bank debit still clearing) */
  unpaid: number;
  /** unprocessed-looking sessions a sweep of the window must leave out: half older than it, half still open */
  decoys?: number;
  /** how far back the window reaches, in days (default 7) */
  days?: number;
  seed?: number;
  now?: number;
  keys?: Keys;
}

export interface CheckoutSweepLoad {
  /** checkout sessions and their `checkout.session.completed` events; no customers or users */
  dataset: SandboxDataset;
  redisWrites: SeedRedisWrite[];
  unprocessedIds: string[];
  unpaidIds: string[];
  /** one failed-delivery event per unprocessed session, in `unprocessedIds` order */
  failedEventIds: string[];
}

/**
 * Stripe's checkout sessions and the Redis records beside them, for the session sweep's tests and
 * bench: every completed session in the window is processed (OK, either layout) except the planted
 * unprocessed and unpaid ones, each unprocessed one with its failed webhook delivery.
 */
export function buildCheckoutSweepLoad(options: CheckoutSweepLoadOptions): CheckoutSweepLoad {
  const r = new Random(options.seed ?? 1);
  const nowMs = options.now ?? Date.now();
  const keys = options.keys ?? createKeys(DEFAULT_KEY_PATTERNS, 'cache-doctor:');
  const windowMs = (options.days ?? 7) * DAY_MS;
  const load: CheckoutSweepLoad = {
    dataset: {
      clerkUsers: [],
      stripeCustomers: [],
      stripeSubscriptions: [],
      checkoutSessions: [],
      events: [],
    },
    redisWrites: [],
    unprocessedIds: [],
    unpaidIds: [],
    failedEventIds: [],
  };
  const set: SetWrite = (key, value, ttlSeconds) => load.redisWrites.push({ key, value, ttlSeconds });
  const rotation: SessionRotation = { promptsStored: 0, malformed: 0, stuck: 0, generationFailed: 0 };
  const decoys = options.decoys ?? 0;
  for (let index = 0; index < options.completed + decoys; index++) {
    const decoy = index >= options.completed;
    const unprocessed = index < options.unprocessed || decoy;
    const unpaid = !unprocessed && index < options.unprocessed + options.unpaid;
    const old = decoy && (index - options.completed) % 2 === 0;
    const open = decoy && !old;
    // nothing younger than 25 minutes, so no status is still legitimately on its way
    const createdMs = old
      ? nowMs - windowMs - r.int(HOUR_MS, DAY_MS)
      : nowMs - r.int(25 * MINUTE_MS, windowMs - MINUTE_MS);
    const tool = r.pick(TOOLS);
    const videoCount = r.weighted([
      [1, 80],
      [2, 20],
    ] as const);
    const sessionId = ids.checkoutSession(r, false);
    const name = pickName(r);
    const session = checkoutSessionWire(r, {
      id: sessionId,
      created: Math.floor(createdMs / 1000),
      customer: ids.customer(r),
      email:
        `${[name.firstName, name.lastName].filter(Boolean).join('.')}.${index}@example.com`.toLowerCase(),
      name: fullName(name),
      userId: ids.clerkUser(r),
      amount: tool.pricePerVideo * videoCount,
      status: open ? 'open' : 'complete',
      paymentStatus: unpaid || open ? 'unpaid' : 'paid',
      toolSlug: tool.slug,
      videoCount,
      livemode: false,
    });
    load.dataset.checkoutSessions.push(session);
    if (!open) {
      const completedMs = createdMs + r.int(30_000, 4 * MINUTE_MS);
      const event = checkoutCompletedEventWire(r, session, Math.floor(completedMs / 1000), unprocessed);
      load.dataset.events.push(event);
      if (unprocessed && !decoy) load.failedEventIds.push(event.id);
    }
    if (unprocessed && !decoy) load.unprocessedIds.push(sessionId);
    if (unpaid) load.unpaidIds.push(sessionId);
    const code: SessionCode = unprocessed ? 'WEBHOOK_MISSING' : unpaid ? 'PAYMENT_NOT_COMPLETED' : 'OK';
    const layout: SessionLayout =
      unprocessed || unpaid
        ? index % 2 === 0
          ? 'three-key'
          : 'session-only'
        : r.chance(0.4)
          ? 'three-key'
          : 'session-only';
    const webhookMs = Math.min(createdMs + r.int(4 * MINUTE_MS, 5 * MINUTE_MS), latestWebhookMs(nowMs));
    writeSessionCache(
      r,
      keys,
      set,
      { sessionId, layout, code, tool, videoCount, createdMs, webhookMs, nowMs },
      rotation,
    );
  }
  return load;
}

interface SessionCacheInput {
  sessionId: string;
  layout: SessionLayout;
  code: SessionCode;
  tool: Tool;
  videoCount: number;
  createdMs: number;
  webhookMs: number;
  nowMs: number;
}

/** Counters that spread the variants of a planted problem evenly over the sessions carrying it. */
interface SessionRotation {
  promptsStored: number;
  malformed: number;
  stuck: number;
  generationFailed: number;
}

/** Writes one checkout session's Redis keys in its layout, with its planted problem applied. */
function writeSessionCache(
  r: Random,
  keys: Keys,
  set: SetWrite,
  input: SessionCacheInput,
  rotation: SessionRotation,
  /** when given, the generation API's file for a `processing` session is added here */
  files?: GenerationFileWire[],
): void {
  const { sessionId, layout, code, tool, videoCount, createdMs, webhookMs, nowMs } = input;
  // Every stored prompt bucket appears: the first five stored prompts take one bucket each.
  const storesPrompt = code !== 'PROMPT_MISSING';
  const prompt = makePrompt(
    r,
    storesPrompt && rotation.promptsStored < PROMPT_BUCKETS.length
      ? rotation.promptsStored
      : pickPromptBucket(r),
  );
  if (storesPrompt) rotation.promptsStored++;
  const ttl = SESSION_TTL_SECONDS - Math.floor((nowMs - createdMs) / 1000);
  const fileId = r.uuid();
  const status = sessionStatus(r, code, fileId, webhookMs, nowMs, rotation.stuck);
  if (code === 'STUCK') rotation.stuck++;
  if (status?.status === 'processing' && status.fileId && files)
    files.push(generationFileOf(status.fileId, code, webhookMs, nowMs, rotation.generationFailed++));

  if (layout === 'three-key') {
    const promptValue = JSON.stringify({ prompt, timestamp: iso(createdMs) });
    const webhookValue = status && JSON.stringify({ ...status, toolSlug: tool.slug, toolTitle: tool.title });
    const sessionValue = JSON.stringify(
      status?.fileId ? { fileId: status.fileId, timestamp: status.timestamp } : { timestamp: iso(webhookMs) },
    );
    if (code === 'MALFORMED') {
      // Either a bare status word in `webhook:` or the raw prompt text in `prompt:`.
      const bareWebhook = rotation.malformed++ % 2 === 0;
      set(keys.prompt(sessionId), bareWebhook ? promptValue : prompt, ttl);
      set(keys.webhook(sessionId), bareWebhook ? 'processing' : (webhookValue as string), ttl);
      set(keys.session(sessionId), sessionValue, ttl);
      return;
    }
    if (code !== 'PROMPT_MISSING') set(keys.prompt(sessionId), promptValue, ttl);
    if (webhookValue) set(keys.webhook(sessionId), webhookValue, ttl);
    // The status update was dropped (WEBHOOK_MISSING) or never paid: nothing after the prompt.
    const hasSession =
      code !== 'SESSION_MAPPING_MISSING' && code !== 'WEBHOOK_MISSING' && code !== 'PAYMENT_NOT_COMPLETED';
    if (hasSession) set(keys.session(sessionId), sessionValue, ttl);
    return;
  }

  // session-only: one record, created at checkout, status merged in by the webhook.
  const record: Record<string, unknown> = {
    prompt,
    videoCount,
    duration: r.pick([5, 10, 10, 15, 30]),
    resolution: r.pick(RESOLUTIONS),
    style: r.pick(VIDEO_STYLES),
    toolSlug: tool.slug,
    toolTitle: tool.title,
    createdAt: iso(createdMs),
  };
  if (status) Object.assign(record, status);
  else record.timestamp = iso(createdMs);
  if (code === 'PROMPT_MISSING') delete record.prompt;
  let value = JSON.stringify(record);
  if (code === 'MALFORMED') {
    // A write cut short, or an object stored without JSON.stringify.
    value =
      rotation.malformed++ % 2 === 0 ? value.slice(0, Math.floor(value.length * 0.6)) : '[object Object]';
  }
  set(keys.session(sessionId), value, ttl);
}

interface StatusFields {
  status: 'pending' | 'processing' | 'completed' | 'error';
  fileId?: string;
  error?: string;
  timestamp: string;
}

/** The webhook status each planted session carries; null when none was ever written. */
function sessionStatus(
  r: Random,
  code: SessionCode,
  fileId: string,
  webhookMs: number,
  nowMs: number,
  stuckRotation: number,
): StatusFields | null {
  const at = iso(webhookMs);
  switch (code) {
    case 'WEBHOOK_MISSING':
    case 'PAYMENT_NOT_COMPLETED':
    case 'NOT_FOUND':
      return null;
    case 'WEBHOOK_ERROR':
      return { status: 'error', error: r.pick(GENERATION_ERRORS), timestamp: at };
    case 'STUCK':
      // Older than the 15-minute limit: `pending`, or `processing` that never got a file id.
      return { status: stuckRotation % 2 === 0 ? 'pending' : 'processing', timestamp: at };
    case 'GENERATION_FAILED':
    case 'GENERATION_STUCK':
      // started; the generation API's file says what became of it (generationFileOf)
      return { status: 'processing', fileId, timestamp: at };
    default: {
      // OK, SESSION_MAPPING_MISSING, PROMPT_MISSING, MALFORMED: generation started (or finished).
      if (r.chance(0.3)) {
        return {
          status: 'completed',
          fileId,
          timestamp: iso(Math.min(webhookMs + r.int(1, 10) * MINUTE_MS, nowMs)),
        };
      }
      return { status: 'processing', fileId, timestamp: at };
    }
  }
}

/** A failure the provider reports; every other one is a content-policy refusal (terminal). */
const RETRYABLE_FAILURE = 'Generation failed: out of GPU capacity, please retry';
const REFUSED_FAILURE = 'Content policy violation: prompt was rejected';

/**
 * The generation API's file behind a `processing` session: finished with a video for the healthy
 * ones (the app never writes `completed` itself), failed for GENERATION_FAILED (alternately a
 * retryable error and a refusal), still unfinished two hours on for GENERATION_STUCK.
 */
function generationFileOf(
  fileId: string,
  code: SessionCode,
  webhookMs: number,
  nowMs: number,
  failedRotation: number,
): GenerationFileWire {
  const startedMs = code === 'GENERATION_STUCK' ? Math.min(webhookMs, nowMs - 2 * HOUR_MS) : webhookMs;
  const base = { id: fileId, created_at: iso(startedMs), url: null, error: null };
  if (code === 'GENERATION_STUCK') return { ...base, status: 'processing', updated_at: iso(startedMs) };
  const finishedAt = iso(Math.min(startedMs + 3 * MINUTE_MS, nowMs));
  if (code === 'GENERATION_FAILED')
    return {
      ...base,
      status: 'failed',
      updated_at: finishedAt,
      error: failedRotation % 2 === 0 ? RETRYABLE_FAILURE : REFUSED_FAILURE,
    };
  return {
    ...base,
    status: 'completed',
    updated_at: finishedAt,
    url: `https://videos.example.com/${fileId}.mp4`,
  };
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

/**
 * One batch of writes, applied inside Redis: `SET key value EX ttl`, or a plain `SET` when the TTL
 * is `0` (a key that never expires). A script per batch instead of one command per key, because
 * the client's per-command cost dominates: 500,000 pipelined SETs take ~10 s through ioredis on
 * two cores, the same writes as ~1,000 scripts ~2 s.
 */
const SET_BATCH_SCRIPT = `
for i = 1, #KEYS do
  local ttl = ARGV[i * 2]
  if ttl == '0' then
    redis.call('SET', KEYS[i], ARGV[i * 2 - 1])
  else
    redis.call('SET', KEYS[i], ARGV[i * 2 - 1], 'EX', ttl)
  end
end
return #KEYS`;

/**
 * Writes the seed as the app would: `SET key value EX ttl`, or a plain `SET` for keys that never
 * expire. Batches of 500 keys, each one script call (atomic per batch), a few in flight at once
 * on the client's pipeline. Safe to call again: every write is a plain overwrite.
 */
export async function writeSeedToRedis(
  redis: Redis,
  writes: readonly SeedRedisWrite[],
  options: { batchSize?: number; inFlight?: number } = {},
): Promise<void> {
  const batchSize = options.batchSize ?? 500;
  const inFlight = options.inFlight ?? 4;
  const sha = (await redis.script('LOAD', SET_BATCH_SCRIPT)) as string;
  let next = 0;
  const worker = async () => {
    while (next < writes.length) {
      const batch = writes.slice(next, next + batchSize);
      next += batchSize;
      const keyArgs: string[] = [];
      const valueArgs: string[] = [];
      for (const write of batch) {
        if (write.ttlSeconds !== null && (!Number.isInteger(write.ttlSeconds) || write.ttlSeconds <= 0)) {
          throw new RangeError(`TTL of ${write.key} must be a positive whole number of seconds or null`);
        }
        keyArgs.push(write.key);
        valueArgs.push(write.value, String(write.ttlSeconds ?? 0));
      }
      await redis.evalsha(sha, keyArgs.length, ...keyArgs, ...valueArgs);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}
