import {
  CUSTOMER_CACHE_TTL_SECONDS,
  CUSTOMER_HEALTH_CODES,
  CUSTOMER_ID_PATTERN,
  CUSTOMER_SYNC_CODES,
  customerRecordSchema,
  idKind,
  SESSION_CODES,
  SESSION_ID_PATTERN,
  SESSION_TTL_SECONDS,
  sessionOnlyRecordSchema,
  subscriptionRecordSchema,
  USER_ID_PATTERN,
  webhookRecordSchema,
} from '@cache-doctor/shared';
import type { UserJSON } from '@clerk/backend';
import { Redis } from 'ioredis';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEY_PATTERNS } from '../config';
import { createKeys } from '../keys';
import { type RedisServer, startRedisServer } from '../lib/redis-server';
import type { SeedRedisWrite } from './dataset';
import {
  buildSeed,
  buildSessionCacheLoad,
  CUSTOMER_CODES,
  type CustomerCode,
  isFailedDelivery,
  type Seed,
  writeSeedToRedis,
} from './seed';

const NOW = Date.UTC(2026, 4, 20, 12, 0, 0);
const DAY_MS = 86_400_000;

const seed = buildSeed({ users: 200, now: NOW });
const { dataset, planted } = seed;
const writes = new Map(seed.redisWrites.map((w) => [w.key, w]));
const clerkById = new Map(dataset.clerkUsers.map((u) => [u.id, u]));
const isDeleted = (c: Stripe.Customer) => (c as { deleted?: unknown }).deleted === true;
const stripeById = new Map(dataset.stripeCustomers.filter((c) => !isDeleted(c)).map((c) => [c.id, c]));
const subsByCustomer = new Map<string, Stripe.Subscription[]>();
for (const sub of dataset.stripeSubscriptions) {
  const list = subsByCustomer.get(sub.customer as string) ?? [];
  list.push(sub);
  subsByCustomer.set(sub.customer as string, list);
}
const usersWith = (code: CustomerCode) => planted.byCode[code];
const healthyUsers = Object.entries(planted.users)
  .filter(([, codes]) => codes.length === 0)
  .map(([id]) => id);

const value = (key: string) => writes.get(key)?.value;
const json = (key: string) => JSON.parse(value(key) as string) as Record<string, unknown>;
const primaryEmail = (u: UserJSON) =>
  u.email_addresses.find((e) => e.id === u.primary_email_address_id)?.email_address;
const clerkName = (u: UserJSON) => [u.first_name, u.last_name].filter(Boolean).join(' ');
const customerOf = (userId: string) => planted.customerIds[userId] as string;
const recordOf = (userId: string) => json(`customer:${customerOf(userId)}`);

describe('buildSeed', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const again = buildSeed({ users: 200, now: NOW });
    expect(JSON.stringify(again)).toBe(JSON.stringify(seed));
    const other = buildSeed({ users: 200, seed: 2, now: NOW });
    expect(other.redisWrites).not.toEqual(seed.redisWrites);
    expect(other.dataset.clerkUsers[0]?.id).not.toBe(dataset.clerkUsers[0]?.id);
  });

  it('plants every customer code on its own users, beside a clear healthy majority', () => {
    for (const code of [...CUSTOMER_HEALTH_CODES, ...CUSTOMER_SYNC_CODES]) {
      expect(usersWith(code).length, code).toBeGreaterThanOrEqual(1);
    }
    const all = Object.values(planted.users);
    expect(all).toHaveLength(200);
    for (const codes of all) expect(codes.length).toBeLessThanOrEqual(1);
    expect(healthyUsers.length / all.length).toBeGreaterThanOrEqual(0.75);
    expect(healthyUsers.length / all.length).toBeLessThanOrEqual(0.82);
    expect(planted.traps.updatedAtSeconds.length).toBeGreaterThanOrEqual(1);
    expect(planted.traps.extraFields.length).toBeGreaterThanOrEqual(1);
    for (const id of [...planted.traps.updatedAtSeconds, ...planted.traps.extraFields]) {
      expect(planted.users[id]).toEqual([]);
    }
  });

  it('plants every session code, in both layouts where the layout allows it', () => {
    for (const code of SESSION_CODES) expect(planted.byCode[code].length, code).toBeGreaterThanOrEqual(1);
    const combos = new Set(Object.values(planted.sessions).map((s) => `${s.code}/${s.layout}`));
    for (const code of [
      'OK',
      'WEBHOOK_MISSING',
      'PROMPT_MISSING',
      'WEBHOOK_ERROR',
      'STUCK',
      'PAYMENT_NOT_COMPLETED',
      'MALFORMED',
    ]) {
      expect(combos, code).toContain(`${code}/three-key`);
      expect(combos, code).toContain(`${code}/session-only`);
    }
    expect(combos).toContain('SESSION_MAPPING_MISSING/three-key');
    expect(combos).toContain('NOT_FOUND/none');
    const sessions = Object.values(planted.sessions);
    expect(planted.byCode.OK.length / sessions.length).toBeGreaterThan(0.75);
    expect(dataset.checkoutSessions).toHaveLength(sessions.length);
  });

  it('scales the planted share with the number of users', () => {
    const big = buildSeed({ users: 2_000, now: NOW });
    const users = Object.values(big.planted.users);
    const healthy = users.filter((c) => c.length === 0).length / users.length;
    expect(healthy).toBeGreaterThan(0.75);
    expect(healthy).toBeLessThan(0.82);
    for (const code of CUSTOMER_CODES)
      expect(big.planted.byCode[code].length, code).toBeGreaterThanOrEqual(20);
    expect(new Set(big.redisWrites.map((w) => w.key)).size).toBe(big.redisWrites.length);
  });

  it('makes ids the API accepts', () => {
    const userIds = Object.keys(planted.users);
    for (const id of userIds) expect(id).toMatch(USER_ID_PATTERN);
    for (const c of dataset.stripeCustomers) expect(idKind(c.id)).toBe('customer');
    for (const s of dataset.checkoutSessions) {
      expect(s.id).toMatch(SESSION_ID_PATTERN);
      expect(idKind(s.id)).toBe('session');
    }
    for (const s of dataset.stripeSubscriptions) expect(s.id).toMatch(/^sub_[A-Za-z0-9]+$/);
    for (const e of dataset.events) expect(e.id).toMatch(/^evt_[A-Za-z0-9]+$/);
    expect(new Set(userIds).size).toBe(userIds.length);
    const live = buildSeed({ users: 50, now: NOW, livemode: true });
    expect(live.dataset.checkoutSessions[0]?.id).toMatch(/^cs_live_[A-Za-z0-9]+$/);
    expect(live.dataset.checkoutSessions[0]?.livemode).toBe(true);
  });

  it('writes mappings as plain customer ids, never JSON', () => {
    const malformed = new Set(usersWith('MAPPING_MALFORMED'));
    let checked = 0;
    for (const w of seed.redisWrites) {
      const userId = w.key.startsWith('user:') ? w.key.slice(5) : null;
      if (!userId && !w.key.startsWith('email:')) continue;
      if (userId && malformed.has(userId)) continue;
      expect(w.value).toMatch(CUSTOMER_ID_PATTERN);
      checked++;
    }
    expect(checked).toBeGreaterThan(250);
    for (const userId of malformed) {
      expect(JSON.parse(value(`user:${userId}`) as string)).toEqual({ customerId: customerOf(userId) });
    }
  });

  it('writes records in the app shape: seconds `created`, milliseconds `updatedAt` on most', () => {
    const seconds = new Set(planted.traps.updatedAtSeconds);
    for (const userId of healthyUsers.filter((id) => planted.customerIds[id])) {
      const record = customerRecordSchema.parse(recordOf(userId));
      expect(record.created).toBeLessThan(1e11);
      if (seconds.has(userId)) expect(record.updatedAt).toBeLessThan(1e11);
      else expect(record.updatedAt).toBeGreaterThan(NOW - DAY_MS);
      for (const subId of record.subscriptions) {
        const sub = subscriptionRecordSchema.parse(json(`subscription:${subId}`));
        expect(sub.customerId).toBe(record.stripeCustomerId);
      }
    }
    for (const userId of planted.traps.extraFields) {
      expect(recordOf(userId)).toHaveProperty('source', 'checkout.session.completed');
    }
  });

  it('gives cache keys 24 h, session keys up to 30 days, legacy keys none', () => {
    const noTtlUsers = new Set(usersWith('NO_TTL').map(customerOf));
    let persistent = 0;
    for (const w of seed.redisWrites) {
      if (w.key.startsWith('stripe:')) {
        expect(w.ttlSeconds, w.key).toBeNull();
      } else if (/^(prompt|webhook|session):/.test(w.key)) {
        expect(w.ttlSeconds).toBeLessThanOrEqual(SESSION_TTL_SECONDS);
        expect(w.ttlSeconds).toBeGreaterThan(SESSION_TTL_SECONDS - 7 * 86_400 - 1);
      } else if (w.ttlSeconds === null) {
        persistent++;
      } else {
        expect(w.ttlSeconds, w.key).toBe(CUSTOMER_CACHE_TTL_SECONDS);
      }
    }
    expect(persistent).toBe(noTtlUsers.size);
    for (const userId of usersWith('LEGACY_KEYS')) {
      expect(value(`stripe:user:${userId}`)).toBe(customerOf(userId));
      expect(writes.get(`stripe:customer:${customerOf(userId)}`)?.ttlSeconds).toBeNull();
    }
  });

  it("keeps a healthy user's cache in exact agreement with Clerk and Stripe", () => {
    let checked = 0;
    for (const userId of healthyUsers) {
      const clerk = clerkById.get(userId) as UserJSON;
      const customerId = customerOf(userId);
      expect(value(`user:${userId}`)).toBe(customerId);
      const stripe = stripeById.get(customerId) as Stripe.Customer;
      const record = recordOf(userId);
      expect(record.email).toBe(primaryEmail(clerk));
      expect(record.email).toBe(stripe.email);
      expect(value(`email:${record.email}`)).toBe(customerId);
      expect(record.name).toBe(clerkName(clerk));
      expect(record.name).toBe(stripe.name);
      expect(record.userId).toBe(userId);
      expect(stripe.metadata.userId).toBe(userId);
      expect(record.created).toBe(stripe.created);
      expect(record.defaultPaymentMethod).toBe(stripe.invoice_settings.default_payment_method);
      const subs = subsByCustomer.get(customerId) ?? [];
      expect(record.subscriptions).toEqual(subs.map((s) => s.id));
      for (const sub of subs) {
        const cached = json(`subscription:${sub.id}`);
        expect(cached.status).toBe(sub.status);
        expect(cached.priceId).toBe(sub.items.data[0]?.price.id);
        expect(cached.currentPeriodEnd).toBe(sub.items.data[0]?.current_period_end);
      }
      checked++;
    }
    expect(checked).toBe(healthyUsers.length);
  });

  it('breaks each health-code user in Redis alone, the way its code says', () => {
    const [missing] = usersWith('MAPPING_MISSING');
    expect(writes.has(`user:${missing}`)).toBe(false);
    for (const id of usersWith('CUSTOMER_MISSING'))
      expect(writes.has(`customer:${customerOf(id)}`)).toBe(false);
    for (const id of usersWith('CUSTOMER_MALFORMED'))
      expect(() => JSON.parse(value(`customer:${customerOf(id)}`) as string)).toThrow();
    for (const id of usersWith('FIELDS_MISSING')) expect(recordOf(id)).not.toHaveProperty('stripeCustomerId');
    for (const id of usersWith('FIELD_TYPE_INVALID')) expect(typeof recordOf(id).created).toBe('string');
    for (const id of usersWith('USER_MISMATCH')) {
      expect(recordOf(id).userId).not.toBe(id);
      expect(planted.users).toHaveProperty(recordOf(id).userId as string);
    }
    for (const id of usersWith('CUSTOMER_ID_MISMATCH'))
      expect(recordOf(id).stripeCustomerId).not.toBe(customerOf(id));
    for (const id of usersWith('EMAIL_MAPPING_MISSING'))
      expect(writes.has(`email:${recordOf(id).email}`)).toBe(false);
    for (const id of usersWith('SUBSCRIPTION_MISSING')) {
      const subs = recordOf(id).subscriptions as string[];
      expect(subs.some((s) => !writes.has(`subscription:${s}`))).toBe(true);
    }
    // Nobody else has a key without TTL or an older-layout key.
    const legacyOwners = new Set(
      seed.redisWrites
        .filter((w) => w.key.startsWith('stripe:user:'))
        .map((w) => w.key.slice('stripe:user:'.length)),
    );
    expect([...legacyOwners].sort()).toEqual([...usersWith('LEGACY_KEYS')].sort());
  });

  it('plants each sync code upstream, leaving the cache as the app wrote it', () => {
    for (const id of usersWith('CLERK_USER_NOT_FOUND')) {
      expect(clerkById.has(id)).toBe(false);
      expect(recordOf(id).userId).toBe(id);
      expect(stripeById.get(customerOf(id))?.metadata.userId).toBe(id);
    }
    const deleted = dataset.stripeCustomers.filter(isDeleted).map((c) => c.id);
    expect(deleted.length).toBeGreaterThanOrEqual(1);
    for (const id of usersWith('STRIPE_CUSTOMER_NOT_FOUND')) {
      expect(stripeById.has(customerOf(id))).toBe(false);
      expect(value(`user:${id}`)).toBe(customerOf(id));
    }
    for (const id of usersWith('EMAIL_MISMATCH_CLERK')) {
      const clerk = clerkById.get(id) as UserJSON;
      expect(recordOf(id).email).not.toBe(primaryEmail(clerk));
      expect(recordOf(id).email).toBe(stripeById.get(customerOf(id))?.email);
    }
    for (const id of usersWith('EMAIL_MISMATCH_STRIPE')) {
      expect(recordOf(id).email).toBe(primaryEmail(clerkById.get(id) as UserJSON));
      expect(recordOf(id).email).not.toBe(stripeById.get(customerOf(id))?.email);
    }
    for (const id of usersWith('NAME_MISMATCH_CLERK')) {
      expect(recordOf(id).name).not.toBe(clerkName(clerkById.get(id) as UserJSON));
      expect(recordOf(id).email).toBe(primaryEmail(clerkById.get(id) as UserJSON));
    }
    for (const id of usersWith('SUBSCRIPTIONS_STALE')) {
      const stripe = (subsByCustomer.get(customerOf(id)) ?? []).map((s) => `${s.id}:${s.status}`);
      const cached = (recordOf(id).subscriptions as string[]).map(
        (s) => `${s}:${json(`subscription:${s}`).status}`,
      );
      expect(cached).not.toEqual(stripe);
    }
    for (const id of usersWith('NO_STRIPE_CUSTOMER')) {
      expect(clerkById.has(id)).toBe(true);
      expect(planted.customerIds[id]).toBeNull();
      expect(writes.has(`user:${id}`)).toBe(false);
      expect(dataset.stripeCustomers.some((c) => c.metadata.userId === id)).toBe(false);
    }
  });

  it('writes both session layouts as the app does, with every planted situation', () => {
    const stripeSession = new Map(dataset.checkoutSessions.map((s) => [s.id, s]));
    for (const [id, s] of Object.entries(planted.sessions)) {
      const has = (kind: string) => writes.has(`${kind}:${id}`);
      const stripe = stripeSession.get(id) as Stripe.Checkout.Session;
      expect(stripe.customer).toBe(s.customerId);
      expect(stripe.payment_status).toBe(s.code === 'PAYMENT_NOT_COMPLETED' ? 'unpaid' : 'paid');
      if (s.layout === 'none') {
        expect(has('prompt') || has('webhook') || has('session')).toBe(false);
        continue;
      }
      if (s.layout === 'session-only') {
        expect(has('prompt') || has('webhook')).toBe(false);
        if (s.code === 'MALFORMED') {
          expect(() => JSON.parse(value(`session:${id}`) as string)).toThrow();
          continue;
        }
        const record = json(`session:${id}`);
        if (s.code === 'PROMPT_MISSING') expect(record).not.toHaveProperty('prompt');
        else expect(sessionOnlyRecordSchema.parse(record).createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
        const expectStatus = {
          OK: ['processing', 'completed'],
          WEBHOOK_MISSING: [undefined],
          PAYMENT_NOT_COMPLETED: [undefined],
          WEBHOOK_ERROR: ['error'],
          STUCK: ['pending', 'processing'],
          PROMPT_MISSING: ['processing', 'completed'],
          GENERATION_FAILED: ['processing'],
          GENERATION_STUCK: ['processing'],
        }[s.code as string];
        expect(expectStatus, s.code).toContain(record.status);
        if (s.code === 'OK') expect(record.fileId).toBeTypeOf('string');
        if (s.code === 'STUCK') expect(record).not.toHaveProperty('fileId');
        continue;
      }
      const expectKeys = {
        OK: [true, true, true],
        WEBHOOK_MISSING: [true, false, false],
        PAYMENT_NOT_COMPLETED: [true, false, false],
        SESSION_MAPPING_MISSING: [true, true, false],
        PROMPT_MISSING: [false, true, true],
        WEBHOOK_ERROR: [true, true, true],
        STUCK: [true, true, true],
        MALFORMED: [true, true, true],
        GENERATION_FAILED: [true, true, true],
        GENERATION_STUCK: [true, true, true],
      }[s.code as string];
      expect([has('prompt'), has('webhook'), has('session')], `${s.code} ${id}`).toEqual(expectKeys);
      if (s.code === 'MALFORMED') {
        const bad = ['prompt', 'webhook'].filter((k) => {
          try {
            JSON.parse(value(`${k}:${id}`) as string);
            return false;
          } catch {
            return true;
          }
        });
        expect(bad).toHaveLength(1);
        continue;
      }
      if (has('webhook')) {
        const webhook = webhookRecordSchema.parse(json(`webhook:${id}`));
        if (s.code === 'OK') expect(webhook.fileId).toBeTypeOf('string');
        if (s.code === 'WEBHOOK_ERROR') expect(webhook.status).toBe('error');
        if (s.code === 'STUCK') {
          expect(webhook.fileId).toBeUndefined();
          expect(Date.parse(webhook.timestamp as string)).toBeLessThan(NOW - 15 * 60_000);
        }
      }
    }
  });

  it("gives every processing session the generation API's file: failed for GENERATION_FAILED, unfinished past an hour for GENERATION_STUCK, finished otherwise", () => {
    const files = new Map((dataset.generationFiles ?? []).map((file) => [file.id, file]));
    const fileIdOf = (id: string) => {
      const raw = value(`webhook:${id}`) ?? value(`session:${id}`);
      const record = raw ? (JSON.parse(raw) as { status?: string; fileId?: string }) : {};
      return record.status === 'processing' ? (record.fileId ?? null) : null;
    };
    let checked = 0;
    for (const [id, s] of Object.entries(planted.sessions)) {
      if (s.code === 'MALFORMED' || s.layout === 'none') continue;
      const fileId = fileIdOf(id);
      if (fileId === null) continue;
      const file = files.get(fileId);
      checked += 1;
      if (s.code === 'GENERATION_FAILED') expect(file?.status, id).toBe('failed');
      else if (s.code === 'GENERATION_STUCK') {
        expect(file?.status, id).toBe('processing');
        expect(NOW - Date.parse(file?.created_at as string)).toBeGreaterThan(3_600_000);
      } else expect(file?.status, id).toBe('completed');
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('uses every prompt-length bucket and keeps prompts between 10 and 2,500 characters', () => {
    const lengths: number[] = [];
    for (const w of seed.redisWrites) {
      if (!/^(prompt|session):/.test(w.key)) continue;
      try {
        const prompt = (JSON.parse(w.value) as { prompt?: unknown }).prompt;
        if (typeof prompt === 'string') lengths.push(prompt.length);
      } catch {}
    }
    const buckets = [0, 100, 500, 1000, 2000, Number.POSITIVE_INFINITY];
    for (let b = 1; b < buckets.length; b++) {
      const n = lengths.filter((l) => l > (buckets[b - 1] as number) && l <= (buckets[b] as number)).length;
      expect(n, `bucket ${b}`).toBeGreaterThanOrEqual(1);
    }
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(2500);
  });

  it('marks exactly one failed delivery per WEBHOOK_MISSING session', () => {
    const failed = dataset.events.filter(isFailedDelivery);
    expect(failed.map((e) => e.id).sort()).toEqual([...planted.failedEventIds].sort());
    const failedSessions = failed.map((e) => (e.data.object as Stripe.Checkout.Session).id).sort();
    expect(failedSessions).toEqual([...planted.byCode.WEBHOOK_MISSING].sort());
    for (const event of dataset.events) {
      expect(event.type).toBe('checkout.session.completed');
      expect((event.data.object as Stripe.Checkout.Session).status).toBe('complete');
    }
  });

  it('offers one staff account per role', () => {
    expect(seed.staff.map((s) => [s.role, s.user.public_metadata.cacheDoctorRole])).toEqual([
      ['support', 'support'],
      ['ops', 'ops'],
      ['admin', 'admin'],
    ]);
  });

  it('writes under configured key patterns', () => {
    const keys = createKeys(
      { ...DEFAULT_KEY_PATTERNS, user: 'app:user:{userId}', session: 'app:s:{sessionId}' },
      'cd:',
    );
    const custom = buildSeed({ users: 200, now: NOW, keys });
    expect(custom.redisWrites.some((w) => w.key.startsWith('app:user:user_'))).toBe(true);
    expect(custom.redisWrites.some((w) => w.key.startsWith('app:s:cs_'))).toBe(true);
    expect(custom.redisWrites.some((w) => w.key.startsWith('user:'))).toBe(false);
  });
});

describe('buildSessionCacheLoad', () => {
  const load = buildSessionCacheLoad({ sessions: 2_000, now: NOW });
  const sessionIdOf = (key: string) => key.slice(key.indexOf('cs_'));

  it('writes the asked number of sessions in both layouts, deterministically', () => {
    expect(buildSessionCacheLoad({ sessions: 2_000, now: NOW })).toEqual(load);
    expect(new Set(load.map((w) => sessionIdOf(w.key))).size).toBe(2_000);
    expect(load.some((w) => w.key.startsWith('prompt:'))).toBe(true);
    expect(load.some((w) => w.key.startsWith('session:') && w.value.includes('"prompt"'))).toBe(true);
  });

  it('stores prompts of every length bucket, with session TTLs', () => {
    const lengths = load
      .filter((w) => w.key.startsWith('prompt:') && w.value.startsWith('{'))
      .map((w) => (JSON.parse(w.value) as { prompt: string }).prompt.length);
    expect(Math.min(...lengths)).toBeLessThanOrEqual(100);
    expect(Math.max(...lengths)).toBeGreaterThan(2_000);
    for (const w of load) expect(w.ttlSeconds).toBeGreaterThan(0);
    for (const w of load) expect(w.ttlSeconds).toBeLessThanOrEqual(SESSION_TTL_SECONDS);
  });
});

describe('writeSeedToRedis on a real redis-server', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('stores every key with its value and TTL', async () => {
    await writeSeedToRedis(redis, seed.redisWrites);
    expect(await redis.dbsize()).toBe(seed.redisWrites.length);

    const [healthy] = healthyUsers;
    const customerId = customerOf(healthy as string);
    expect(await redis.get(`user:${healthy}`)).toBe(customerId);
    expect(await redis.get(`customer:${customerId}`)).toBe(value(`customer:${customerId}`));
    expect(await redis.ttl(`customer:${customerId}`)).toBeGreaterThan(CUSTOMER_CACHE_TTL_SECONDS - 60);
    expect(await redis.ttl(`customer:${customerId}`)).toBeLessThanOrEqual(CUSTOMER_CACHE_TTL_SECONDS);

    const [legacy] = usersWith('LEGACY_KEYS');
    expect(await redis.get(`stripe:user:${legacy}`)).toBe(customerOf(legacy as string));
    expect(await redis.ttl(`stripe:user:${legacy}`)).toBe(-1);

    const persistent = seed.redisWrites.find((w) => w.ttlSeconds === null && !w.key.startsWith('stripe:'));
    expect(await redis.ttl((persistent as SeedRedisWrite).key)).toBe(-1);

    const sessionWrite = seed.redisWrites.find((w) => w.key.startsWith('session:')) as SeedRedisWrite;
    expect(await redis.get(sessionWrite.key)).toBe(sessionWrite.value);
    const ttl = await redis.ttl(sessionWrite.key);
    expect(ttl).toBeLessThanOrEqual(sessionWrite.ttlSeconds as number);
    expect(ttl).toBeGreaterThan((sessionWrite.ttlSeconds as number) - 60);
  });

  it('writes in batches, and a second run over the same keys is a plain overwrite', async () => {
    const small: Seed = buildSeed({ users: 120, now: NOW, seed: 7 });
    await redis.flushall();
    await writeSeedToRedis(redis, small.redisWrites, { batchSize: 7, inFlight: 3 });
    await writeSeedToRedis(redis, small.redisWrites);
    expect(await redis.dbsize()).toBe(small.redisWrites.length);
    const last = small.redisWrites[small.redisWrites.length - 1] as SeedRedisWrite;
    expect(await redis.get(last.key)).toBe(last.value);
  });

  it('rejects a TTL that is not a positive whole number of seconds', async () => {
    await expect(writeSeedToRedis(redis, [{ key: 'bad', value: 'x', ttlSeconds: 0 }])).rejects.toThrow(
      RangeError,
    );
  });
});
