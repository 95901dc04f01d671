import {
  CLERK_RATE_LIMIT,
  type RateLimit,
  STRIPE_LIVE_RATE_LIMIT,
  STRIPE_TEST_RATE_LIMIT,
  startSandbox,
} from './index';
import { buildCheckoutSweepLoad, buildSeed } from './seed';

/**
 * `pnpm sandbox`: the three sandbox upstreams on their own, seeded, for poking at with curl, the
 * SDKs or a locally started server. Environment (all optional):
 *   SANDBOX_USERS        seeded users (default 200; 0 starts empty)
 *   SANDBOX_SEED         PRNG seed (default 1)
 *   SANDBOX_NOW          the seed's "now" in ms since the epoch (default: now); with the same users
 *                        and seed, the same value gives the same data byte for byte (e.g. a Redis
 *                        seeded by another process with `buildSeed`)
 *   SANDBOX_HOST         default 127.0.0.1
 *   SANDBOX_STRIPE_PORT, SANDBOX_CLERK_PORT, SANDBOX_GENERATION_PORT   default: free ports
 *   SANDBOX_LATENCY_MS   added to every Stripe and Clerk answer (default 0)
 *   SANDBOX_RATE_LIMITS  `none` (default), `test` (Stripe 25 req/s) or `live` (Stripe 100 req/s);
 *                        with `test`/`live` Clerk is limited to 1,000 per 10 s
 *   SANDBOX_GENERATION_TOKEN   the generation API's bearer token
 *   SANDBOX_CHECKOUT_SESSIONS  instead of users: the session sweep's load (`buildCheckoutSweepLoad`
 *                        with SANDBOX_SEED and SANDBOX_NOW), this many completed checkout sessions
 *                        of the past week with their generation files, of which
 *                        SANDBOX_CHECKOUT_UNPROCESSED never processed and SANDBOX_CHECKOUT_UNPAID
 *                        unpaid (default 0 each)
 */

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} must be a non-negative integer, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

const users = intFromEnv('SANDBOX_USERS', 200);
const latencyMs = intFromEnv('SANDBOX_LATENCY_MS', 0);
const limits = process.env.SANDBOX_RATE_LIMITS ?? 'none';
const stripeLimit: Record<string, RateLimit | null> = {
  none: null,
  test: STRIPE_TEST_RATE_LIMIT,
  live: STRIPE_LIVE_RATE_LIMIT,
};
if (!(limits in stripeLimit)) {
  console.error(`SANDBOX_RATE_LIMITS must be none, test or live, got "${limits}"`);
  process.exit(1);
}

const started = performance.now();
const now = intFromEnv('SANDBOX_NOW', 0);
const checkoutSessions = intFromEnv('SANDBOX_CHECKOUT_SESSIONS', 0);
const seedOptions = { seed: intFromEnv('SANDBOX_SEED', 1), ...(now > 0 && { now }) };
const dataset =
  checkoutSessions > 0
    ? buildCheckoutSweepLoad({
        completed: checkoutSessions,
        unprocessed: intFromEnv('SANDBOX_CHECKOUT_UNPROCESSED', 0),
        unpaid: intFromEnv('SANDBOX_CHECKOUT_UNPAID', 0),
        ...seedOptions,
      }).dataset
    : users > 0
      ? buildSeed({ users, ...seedOptions }).dataset
      : undefined;
const sandbox = await startSandbox({
  ...(dataset && { dataset }),
  ...(process.env.SANDBOX_HOST && { host: process.env.SANDBOX_HOST }),
  ...(process.env.SANDBOX_GENERATION_TOKEN && { generationToken: process.env.SANDBOX_GENERATION_TOKEN }),
  stripeLivemode: limits === 'live',
  ports: {
    stripe: intFromEnv('SANDBOX_STRIPE_PORT', 0),
    clerk: intFromEnv('SANDBOX_CLERK_PORT', 0),
    generation: intFromEnv('SANDBOX_GENERATION_PORT', 0),
  },
  faults: {
    stripe: { latencyMs, rateLimit: stripeLimit[limits] ?? null },
    clerk: { latencyMs, rateLimit: limits === 'none' ? null : CLERK_RATE_LIMIT },
  },
});

const d = dataset;
console.log(
  [
    `Sandbox upstreams ready in ${Math.round(performance.now() - started)} ms` +
      (d
        ? ` (${d.clerkUsers.length} Clerk users, ${d.stripeCustomers.length} Stripe customers, ${d.checkoutSessions.length} checkout sessions, ${d.events.length} events)`
        : ' (empty)'),
    `  STRIPE_API_BASE=${sandbox.stripeUrl}`,
    `  CLERK_API_URL=${sandbox.clerkUrl}`,
    `  CLERK_SIGN_IN_URL=${sandbox.clerkSessions.signInUrl}   (AUTH_MODE=clerk: lists users with publicMetadata.cacheDoctorRole)`,
    `  GENERATION_API_URL=${sandbox.generationUrl}`,
    `  GENERATION_API_TOKEN=${sandbox.generationToken}`,
    '  Any sk_test_... key works for Stripe and Clerk. Faults: GET/PUT <url>/__sandbox/faults, GET <url>/__sandbox/counters, POST <url>/__sandbox/reset[?data=true]',
  ].join('\n'),
);

const stop = () => {
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
