import { roleSchema, type Staff } from '@cache-doctor/shared';
import { z } from 'zod';

/**
 * SPEC §7. Parsed once at start-up; every problem is reported on its own line naming the variable,
 * so an operator fixes them all in one go.
 */

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const ratio = z.coerce.number().min(0).max(1);
const url = z.url();

/** A key pattern must contain its placeholder exactly once, e.g. `user:{userId}`. */
const keyPattern = (placeholder: string) =>
  z
    .string()
    .min(1)
    .refine((p) => p.split(`{${placeholder}}`).length === 2, `must contain {${placeholder}} exactly once`);

export interface StaffToken extends Staff {
  token: string;
}

/** `name:role:token,...` — tokens need length, or a guessable one would let anyone in. */
const staffTokens = z.string().transform((raw, ctx): StaffToken[] => {
  const entries: StaffToken[] = [];
  for (const [index, part] of raw.split(',').entries()) {
    const item = part.trim();
    if (item === '') continue;
    const [name, role, token, ...rest] = item.split(':');
    const parsedRole = roleSchema.safeParse(role);
    if (!name || !parsedRole.success || !token || rest.length > 0 || token.length < 16) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${index + 1} must be name:role:token with role support|ops|admin and a token of 16+ characters`,
      });
      continue;
    }
    entries.push({ id: name, name, role: parsedRole.data, token });
  }
  // One token for two staff would make them one person; one name for two would make them one id.
  const seen = { token: new Set<string>(), name: new Set<string>() };
  for (const entry of entries) {
    if (seen.token.has(entry.token))
      ctx.addIssue({ code: 'custom', message: `the token of ${entry.name} is given to another entry too` });
    if (seen.name.has(entry.name))
      ctx.addIssue({ code: 'custom', message: `the name ${entry.name} is given to two entries` });
    seen.token.add(entry.token);
    seen.name.add(entry.name);
  }
  return entries;
});

const envSchema = z.object({
  PORT: port.default(8787),
  HOST: z.string().default('127.0.0.1'),
  /** peers whose `X-Forwarded-Proto` is believed: the TLS-terminating proxy (same host by default) */
  TRUSTED_PROXIES: z
    .string()
    .default('127.0.0.1,::1')
    .transform((raw) =>
      raw
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
    ),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_/, 'must start with sk_test_, sk_live_, rk_test_ or rk_live_')
    .optional(),
  STRIPE_API_BASE: url.optional(),
  CLERK_SECRET_KEY: z
    .string()
    .regex(/^sk_(test|live)_/, 'must start with sk_test_ or sk_live_')
    .optional(),
  CLERK_API_URL: url.optional(),
  /** the Clerk dashboard's users page of this instance, e.g. https://dashboard.clerk.com/apps/app_…/instances/ins_…/users; "Open in Clerk" links appear when set */
  CLERK_DASHBOARD_URL: url.optional(),
  CLERK_JWT_KEY: z.string().optional(),
  CLERK_SIGN_IN_URL: url.optional(),
  CLERK_ISSUER: url.optional(),
  CLERK_AUTHORIZED_PARTIES: z
    .string()
    .transform((raw) =>
      raw
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .optional(),
  GENERATION_API_URL: url.optional(),
  GENERATION_API_TOKEN: z.string().optional(),
  GENERATION_CONFIG_NAME: z.string().min(1).default('google-cloud/veo3'),
  GENERATION_STUCK_AFTER_MS: positiveInt.default(3_600_000),
  GENERATION_TIMEOUT_MS: positiveInt.default(30_000),
  AUTH_MODE: z.enum(['clerk', 'token', 'demo']).optional(),
  STAFF_TOKENS: staffTokens.optional(),
  KEY_USER: keyPattern('userId').default('user:{userId}'),
  KEY_EMAIL: keyPattern('email').default('email:{email}'),
  KEY_CUSTOMER: keyPattern('customerId').default('customer:{customerId}'),
  KEY_SUBSCRIPTION: keyPattern('subscriptionId').default('subscription:{subscriptionId}'),
  KEY_PROMPT: keyPattern('sessionId').default('prompt:{sessionId}'),
  KEY_SESSION: keyPattern('sessionId').default('session:{sessionId}'),
  KEY_WEBHOOK: keyPattern('sessionId').default('webhook:{sessionId}'),
  SESSION_LAYOUT: z.enum(['detect', 'three-key', 'session-only']).default('detect'),
  OWN_PREFIX: z.string().min(1).default('cache-doctor:'),
  STUCK_AFTER_MS: positiveInt.default(15 * 60 * 1000),
  ALERT_CACHE_HIT_RATE: ratio.default(0.95),
  ALERT_SYNC_FAILURE_RATE: ratio.default(0.05),
  ALERT_API_ERROR_RATE: ratio.default(0.01),
  ALERT_RESPONSE_TIME_P95: positiveInt.default(500),
  ALERT_WEBHOOK_SUCCESS_RATE: ratio.default(0.95),
  ALERT_REDIS_MEMORY: ratio.default(0.9),
  ALERT_GENERATION_SUCCESS_RATE: ratio.default(0.95),
  ALERT_SESSION_LOOKUP_SUCCESS_RATE: ratio.default(0.95),
  PROBE_USERS: z.coerce.number().int().min(0).max(10_000).default(200),
  SWEEP_EVERY_MS: z.coerce.number().int().min(0).default(3_600_000),
  ALERT_WEBHOOK_URL: url.optional(),
  ALERT_FOR_MS: z.coerce.number().int().min(0).default(300_000),
  STRIPE_MAX_RPS: positiveInt.optional(),
  METRICS_SAMPLE_MS: positiveInt.default(10_000),
  SESSION_SWEEP_EVERY_MS: z.coerce.number().int().min(0).default(300_000),
  UPSTREAM_TIMEOUT_MS: positiveInt.default(10_000),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt.default(1_000),
  OWN_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  JOB_CONCURRENCY: positiveInt.max(1_000).default(16),
  // below a second, a busy worker would lose its lock mid-batch and the batch would run twice
  JOB_LOCK_MS: positiveInt.min(1_000).default(30_000),
  MUTATION_RATE_PER_MIN: positiveInt.default(120),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  NODE_ENV: z.string().optional(),
  DEMO_USERS: positiveInt.max(100_000).default(200),
  DEMO_SEED: z.coerce.number().int().default(1),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable the configuration reads, for the checks that the docs name them all. */
export const ENVIRONMENT_VARIABLES = Object.keys(envSchema.shape) as Array<keyof Env>;

export interface KeyPatterns {
  user: string;
  email: string;
  customer: string;
  subscription: string;
  prompt: string;
  session: string;
  webhook: string;
}

export interface Config {
  port: number;
  host: string;
  /** the addresses of the proxies allowed to say a request came over HTTPS (`X-Forwarded-Proto`) */
  trustedProxies: string[];
  /** true when nothing real is configured: own redis-server and in-process sandbox upstreams */
  demo: boolean;
  redisUrl: string | undefined;
  /** where Cache Doctor keeps its own data (audit log, metrics, jobs, policies); default `redisUrl` */
  ownRedisUrl: string | undefined;
  /** every Redis command's deadline: past it the command fails and its request answers 503 */
  redisCommandTimeoutMs: number;
  stripe: { secretKey: string; apiBase: string | undefined; mode: 'test' | 'live'; maxRps: number };
  clerk: {
    secretKey: string;
    apiUrl: string | undefined;
    /** base of "Open in Clerk" links (a user's page is `{dashboardUrl}/{userId}`); none when unset */
    dashboardUrl: string | undefined;
    jwtKey: string | undefined;
    /** where the SPA sends staff to sign in (`AUTH_MODE=clerk`); it redirects back with a token */
    signInUrl: string | undefined;
    /** when set, a session token's `iss` must equal it */
    issuer: string | undefined;
    /** when non-empty, a session token's `azp` must be one of these origins */
    authorizedParties: string[];
  };
  generation: {
    url: string | undefined;
    token: string | undefined;
    /** `generation_config_name` of every start, as the app's webhook sends it (SPEC §6.4) */
    configName: string;
    /** a file unfinished at the generation API longer than this is GENERATION_STUCK */
    stuckAfterMs: number;
    /** a start unanswered after this may have started a paid video: its outcome is unknown */
    timeoutMs: number;
  };
  authMode: 'clerk' | 'token' | 'demo';
  staffTokens: StaffToken[];
  keys: KeyPatterns;
  sessionLayout: 'detect' | 'three-key' | 'session-only';
  ownPrefix: string;
  stuckAfterMs: number;
  upstreamTimeoutMs: number;
  /** POST/DELETE requests one staff member may make per minute (SPEC §8) */
  mutationRatePerMin: number;
  alerts: {
    cacheHitRate: number;
    syncFailureRate: number;
    apiErrorRate: number;
    responseTimeP95: number;
    webhookSuccessRate: number;
    generationSuccessRate: number;
    sessionLookupSuccessRate: number;
    redisMemory: number;
    forMs: number;
    webhookUrl: string | undefined;
  };
  metricsSampleMs: number;
  /** users whose two-step lookup the probe reads per sample when the app reports nothing; 0 = off */
  probeUsers: number;
  /** how often the scheduled health sweep runs (one instance at a time); 0 turns it off */
  sweepEveryMs: number;
  /** every job worker (the server's and `pnpm worker`s): tasks run at once, and how long a task's
   * lock lasts before another worker takes over a task whose worker died */
  jobs: { concurrency: number; lockMs: number };
  /** how often the scheduled session sweep runs (one instance at a time); 0 turns it off */
  sessionSweepEveryMs: number;
  demoData: { users: number; seed: number };
  /** on SIGTERM: how long requests in flight and running job tasks get to finish (SPEC §11) */
  shutdownGraceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
  }
}

/** Secrets a demo must never run beside: if any is set, the operator meant a real deployment. */
const REAL_CREDENTIALS = [
  'REDIS_URL',
  'OWN_REDIS_URL',
  'STRIPE_SECRET_KEY',
  'CLERK_SECRET_KEY',
  'GENERATION_API_TOKEN',
] as const;

/** Stripe's own limits are 25 req/s in test mode and 100 in live; we stay under both. */
const DEFAULT_STRIPE_RPS = { test: 25, live: 90 } as const;

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const env = parsed.data;
  const problems: string[] = [];
  const configuredCredentials = REAL_CREDENTIALS.filter((name) => raw[name] !== undefined);
  // `pnpm start:prod` (SPEC §11): never a demo, whatever is missing is named instead
  const production = env.NODE_ENV === 'production';
  // AUTH_MODE=clerk without credentials is a demo too: the sandbox Clerk signs staff in.
  const demo = !production && configuredCredentials.length === 0 && env.AUTH_MODE !== 'token';

  if (production && env.AUTH_MODE === 'demo') {
    problems.push('AUTH_MODE: demo is refused in production (NODE_ENV=production); use token or clerk');
  }
  if (env.AUTH_MODE === 'demo' && configuredCredentials.length > 0 && !production) {
    problems.push(
      `AUTH_MODE: demo is refused while real credentials are configured (${configuredCredentials.join(', ')})`,
    );
  }
  if (!demo) {
    for (const name of ['REDIS_URL', 'STRIPE_SECRET_KEY', 'CLERK_SECRET_KEY'] as const) {
      if (env[name] === undefined)
        problems.push(`${name}: required ${production ? 'in production' : 'outside demo mode'}`);
    }
  }
  const authMode = env.AUTH_MODE ?? (demo ? 'demo' : 'token');
  if (authMode === 'token' && (env.STAFF_TOKENS ?? []).length === 0) {
    problems.push('STAFF_TOKENS: required when AUTH_MODE=token (name:role:token,...)');
  }
  if (authMode === 'clerk' && !demo && env.CLERK_SIGN_IN_URL === undefined) {
    problems.push('CLERK_SIGN_IN_URL: required when AUTH_MODE=clerk (the page staff sign in on)');
  }
  if (env.GENERATION_API_URL !== undefined && env.GENERATION_API_TOKEN === undefined && !demo) {
    problems.push('GENERATION_API_TOKEN: required when GENERATION_API_URL is set');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const stripeKey = env.STRIPE_SECRET_KEY ?? 'sk_test_demo';
  const stripeMode = stripeKey.includes('_live_') ? 'live' : 'test';
  return {
    port: env.PORT,
    host: env.HOST,
    trustedProxies: env.TRUSTED_PROXIES,
    demo,
    redisUrl: env.REDIS_URL,
    ownRedisUrl: env.OWN_REDIS_URL ?? env.REDIS_URL,
    redisCommandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    stripe: {
      secretKey: stripeKey,
      apiBase: env.STRIPE_API_BASE,
      mode: stripeMode,
      maxRps: env.STRIPE_MAX_RPS ?? DEFAULT_STRIPE_RPS[stripeMode],
    },
    clerk: {
      secretKey: env.CLERK_SECRET_KEY ?? 'sk_test_demo',
      apiUrl: env.CLERK_API_URL,
      dashboardUrl: env.CLERK_DASHBOARD_URL?.replace(/\/+$/, ''),
      jwtKey: env.CLERK_JWT_KEY,
      signInUrl: env.CLERK_SIGN_IN_URL,
      issuer: env.CLERK_ISSUER,
      authorizedParties: env.CLERK_AUTHORIZED_PARTIES ?? [],
    },
    generation: {
      url: env.GENERATION_API_URL,
      token: env.GENERATION_API_TOKEN,
      configName: env.GENERATION_CONFIG_NAME,
      stuckAfterMs: env.GENERATION_STUCK_AFTER_MS,
      timeoutMs: env.GENERATION_TIMEOUT_MS,
    },
    authMode,
    staffTokens: env.STAFF_TOKENS ?? [],
    keys: {
      user: env.KEY_USER,
      email: env.KEY_EMAIL,
      customer: env.KEY_CUSTOMER,
      subscription: env.KEY_SUBSCRIPTION,
      prompt: env.KEY_PROMPT,
      session: env.KEY_SESSION,
      webhook: env.KEY_WEBHOOK,
    },
    sessionLayout: env.SESSION_LAYOUT,
    ownPrefix: env.OWN_PREFIX,
    stuckAfterMs: env.STUCK_AFTER_MS,
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS,
    mutationRatePerMin: env.MUTATION_RATE_PER_MIN,
    alerts: {
      cacheHitRate: env.ALERT_CACHE_HIT_RATE,
      syncFailureRate: env.ALERT_SYNC_FAILURE_RATE,
      apiErrorRate: env.ALERT_API_ERROR_RATE,
      responseTimeP95: env.ALERT_RESPONSE_TIME_P95,
      webhookSuccessRate: env.ALERT_WEBHOOK_SUCCESS_RATE,
      generationSuccessRate: env.ALERT_GENERATION_SUCCESS_RATE,
      sessionLookupSuccessRate: env.ALERT_SESSION_LOOKUP_SUCCESS_RATE,
      redisMemory: env.ALERT_REDIS_MEMORY,
      forMs: env.ALERT_FOR_MS,
      webhookUrl: env.ALERT_WEBHOOK_URL,
    },
    metricsSampleMs: env.METRICS_SAMPLE_MS,
    probeUsers: env.PROBE_USERS,
    sweepEveryMs: env.SWEEP_EVERY_MS,
    jobs: { concurrency: env.JOB_CONCURRENCY, lockMs: env.JOB_LOCK_MS },
    sessionSweepEveryMs: env.SESSION_SWEEP_EVERY_MS,
    demoData: { users: env.DEMO_USERS, seed: env.DEMO_SEED },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
  };
}

export const DEFAULT_KEY_PATTERNS: KeyPatterns = loadConfig({}).keys;
