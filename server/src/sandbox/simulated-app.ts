import { createAppReporter } from '@cache-doctor/shared/reporter';
import { Redis } from 'ioredis';

/**
 * The demo's app (SPEC §5.1, issue #18): a few customer lookups a second against the demo's Redis,
 * as the real app makes them — its signed-in user read from Clerk, then the two-step cache read
 * (mapping → customer id → record), falling back to Stripe on a miss — all counted through the
 * reporter the real app would use, so the demo's charts move the way a real app's do.
 *
 * Mostly returning customers whose records are cached; every few minutes a short burst of new
 * visitors (misses) that leaves the hit rate pending for a sample or two; once every cycle a
 * longer spell of misses, long enough for the hit-rate alert to fire and then resolve; and now
 * and then a network blip on an upstream call.
 */

export interface SimulatedAppOptions {
  redisUrl: string;
  ownPrefix: string;
  /** build a mapping and a record key, as the app's key patterns do */
  userKey(userId: string): string;
  customerKey(customerId: string): string;
  /** users whose customer the cache holds (the seed's healthy ones) */
  cachedUsers: readonly string[];
  clerk: { url: string; secretKey: string };
  stripe: { url: string; secretKey: string };
  lookupsPerSecond?: number;
}

const MINUTE = 60_000;
export const CYCLE_MS = 20 * MINUTE;
/** A short burst of new visitors starts every BURST_EVERY_MS of the quiet part of the cycle. */
const BURST_EVERY_MS = 3 * MINUTE;
const BURST_MS = 20_000;
/** The long spell: past the default ALERT_FOR_MS (5 min), so the alert fires, then resolves. */
const SPELL_START_MS = 12 * MINUTE;
const SPELL_MS = 6.5 * MINUTE;
/** Share of upstream calls lost to a network blip. */
export const BLIP_SHARE = 0.002;

/** The share of lookups that miss, `elapsedMs` after the app started. */
export function missShareAt(elapsedMs: number): number {
  const inCycle = elapsedMs % CYCLE_MS;
  if (inCycle >= SPELL_START_MS && inCycle < SPELL_START_MS + SPELL_MS) return 0.25;
  if (inCycle < SPELL_START_MS && inCycle >= BURST_EVERY_MS && inCycle % BURST_EVERY_MS < BURST_MS)
    return 0.4;
  return 0.01;
}

export interface SimulatedApp {
  stop(): Promise<void>;
}

export function startSimulatedApp(options: SimulatedAppOptions): SimulatedApp {
  const redis = new Redis(options.redisUrl, { connectionName: 'simulated-app', maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // a report that fails is dropped and counted by the reporter
  const reporter = createAppReporter(redis, { prefix: options.ownPrefix });
  const startedAt = Date.now();
  let visitors = 0;

  const upstream = (url: string, secretKey: string) =>
    reporter.upstream(async () => {
      if (Math.random() < BLIP_SHARE) throw new Error('simulated network blip');
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${secretKey}` },
        signal: AbortSignal.timeout(5_000),
      });
      await response.body?.cancel();
      // a 404 is an answer; only the upstream failing is an error
      if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
    });

  const twoStep = async (userId: string) => {
    const customerId = await redis.get(options.userKey(userId));
    return customerId ? redis.get(options.customerKey(customerId)) : null;
  };

  const oneLookup = async () => {
    const miss = Math.random() < missShareAt(Date.now() - startedAt) || options.cachedUsers.length === 0;
    visitors += 1;
    const userId = miss
      ? `user_simulatedVisitor${visitors}`
      : (options.cachedUsers[Math.floor(Math.random() * options.cachedUsers.length)] as string);
    // the app's `currentUser()`: one Clerk call per request
    await upstream(`${options.clerk.url}/v1/users/${userId}`, options.clerk.secretKey).catch(() => undefined);
    await reporter
      .lookup(
        () => twoStep(userId),
        // the customer, as the app would read it from Stripe and cache it
        () =>
          upstream(`${options.stripe.url}/v1/customers?limit=1`, options.stripe.secretKey).then(
            () => 'customer from Stripe',
          ),
      )
      .catch(() => undefined);
  };

  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(
    () => {
      const lookup = oneLookup().finally(() => inFlight.delete(lookup));
      inFlight.add(lookup);
    },
    Math.round(1000 / (options.lookupsPerSecond ?? 4)),
  );
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await Promise.allSettled(inFlight);
      await reporter.flush();
      redis.disconnect();
    },
  };
}
