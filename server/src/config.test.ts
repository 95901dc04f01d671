import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const production = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  STRIPE_SECRET_KEY: 'sk_live_abc123',
  CLERK_SECRET_KEY: 'sk_live_def456',
  AUTH_MODE: 'token',
  STAFF_TOKENS: 'alice:ops:0123456789abcdef0123,bob:support:fedcba9876543210fedc',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('starts in demo mode when nothing real is configured', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ demo: true, authMode: 'demo', port: 8787, ownPrefix: 'cache-doctor:' });
    expect(config.keys.user).toBe('user:{userId}');
    expect(config.stripe.maxRps).toBe(25);
  });

  it('uses real credentials, live rate limit and the staff tokens', () => {
    const config = loadConfig(production);
    expect(config).toMatchObject({ demo: false, authMode: 'token', redisUrl: 'redis://127.0.0.1:6379' });
    expect(config.stripe).toMatchObject({ mode: 'live', maxRps: 90 });
    expect(config.staffTokens).toEqual([
      { id: 'alice', name: 'alice', role: 'ops', token: '0123456789abcdef0123' },
      { id: 'bob', name: 'bob', role: 'support', token: 'fedcba9876543210fedc' },
    ]);
  });

  it("keeps Cache Doctor's own data in OWN_REDIS_URL, another Redis than the cache if asked (default REDIS_URL)", () => {
    expect(loadConfig(production).ownRedisUrl).toBe('redis://127.0.0.1:6379');
    const separate = loadConfig({ ...production, OWN_REDIS_URL: 'redis://own.internal:6380/1' });
    expect(separate).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      ownRedisUrl: 'redis://own.internal:6380/1',
    });
    // an own store without the cache's Redis is no demo: REDIS_URL is asked for
    expect(problemsOf({ OWN_REDIS_URL: 'redis://own.internal:6380' })).toContain(
      'REDIS_URL: required outside demo mode',
    );
  });

  it('names the variable on each problem line, all at once', () => {
    const problems = problemsOf({ ...production, PORT: 'eighty', STAFF_TOKENS: 'alice:wizard:short' });
    expect(problems).toHaveLength(2);
    expect(problems.find((line) => line.startsWith('PORT:'))).toBeDefined();
    expect(problems.find((line) => line.startsWith('STAFF_TOKENS:'))).toMatch(/entry 1/);
  });

  it('stops start-up when one token is given to two staff, or one name (their id) to two entries', () => {
    const token = '0123456789abcdef0123';
    expect(problemsOf({ ...production, STAFF_TOKENS: `alice:ops:${token},bob:admin:${token}` })).toEqual([
      expect.stringMatching(/^STAFF_TOKENS: the token of bob is given to another entry too/),
    ]);
    expect(
      problemsOf({ ...production, STAFF_TOKENS: `pat:ops:${token},pat:admin:fedcba9876543210fedc` }),
    ).toEqual([expect.stringMatching(/^STAFF_TOKENS: the name pat is given to two entries/)]);
  });

  it('refuses demo sign-in when a real credential is configured', () => {
    expect(problemsOf({ ...production, AUTH_MODE: 'demo' })).toEqual([
      expect.stringMatching(/^AUTH_MODE: demo is refused .*REDIS_URL, STRIPE_SECRET_KEY, CLERK_SECRET_KEY/),
    ]);
  });

  it('requires every real dependency outside demo mode', () => {
    expect(
      problemsOf({
        REDIS_URL: 'redis://localhost:6379',
        AUTH_MODE: 'token',
        STAFF_TOKENS: production.STAFF_TOKENS,
      }),
    ).toEqual([
      'STRIPE_SECRET_KEY: required outside demo mode',
      'CLERK_SECRET_KEY: required outside demo mode',
    ]);
  });

  it('runs clerk sign-in against the demo sandbox when no credential is configured', () => {
    expect(loadConfig({ AUTH_MODE: 'clerk' })).toMatchObject({ demo: true, authMode: 'clerk' });
  });

  it('needs the sign-in page for clerk sign-in outside demo mode', () => {
    const clerk = { ...production, AUTH_MODE: 'clerk', STAFF_TOKENS: '' };
    expect(problemsOf(clerk)).toEqual([
      'CLERK_SIGN_IN_URL: required when AUTH_MODE=clerk (the page staff sign in on)',
    ]);
    const config = loadConfig({
      ...clerk,
      CLERK_SIGN_IN_URL: 'https://accounts.example.com/sign-in',
      CLERK_AUTHORIZED_PARTIES: 'https://doctor.example.com, https://ops.example.com',
    });
    expect(config.clerk).toMatchObject({
      signInUrl: 'https://accounts.example.com/sign-in',
      authorizedParties: ['https://doctor.example.com', 'https://ops.example.com'],
    });
  });

  it('rejects a key pattern without its placeholder', () => {
    expect(problemsOf({ KEY_USER: 'user:' })).toEqual(['KEY_USER: must contain {userId} exactly once']);
  });

  it("reads the job workers' concurrency and lock time, and refuses a lock under a second", () => {
    expect(loadConfig(production).jobs).toEqual({ concurrency: 16, lockMs: 30_000 });
    expect(loadConfig({ ...production, JOB_CONCURRENCY: '4', JOB_LOCK_MS: '5000' }).jobs).toEqual({
      concurrency: 4,
      lockMs: 5000,
    });
    expect(problemsOf({ ...production, JOB_CONCURRENCY: 'many', JOB_LOCK_MS: '500' })).toEqual([
      expect.stringMatching(/^JOB_CONCURRENCY:/),
      expect.stringMatching(/^JOB_LOCK_MS:/),
    ]);
  });

  it('never starts the demo under NODE_ENV=production: one line per missing variable instead', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'REDIS_URL: required in production',
      'STRIPE_SECRET_KEY: required in production',
      'CLERK_SECRET_KEY: required in production',
      'STAFF_TOKENS: required when AUTH_MODE=token (name:role:token,...)',
    ]);
    expect(problemsOf({ ...production, NODE_ENV: 'production', AUTH_MODE: 'demo' })).toEqual([
      expect.stringMatching(/^AUTH_MODE: demo is refused in production/),
    ]);
    expect(loadConfig({ ...production, NODE_ENV: 'production' })).toMatchObject({ demo: false });
  });

  it('gives requests and job tasks 10 s to finish on shutdown unless SHUTDOWN_GRACE_MS says otherwise', () => {
    expect(loadConfig(production).shutdownGraceMs).toBe(10_000);
    expect(loadConfig({ ...production, SHUTDOWN_GRACE_MS: '2500' }).shutdownGraceMs).toBe(2500);
    expect(problemsOf({ ...production, SHUTDOWN_GRACE_MS: 'soon' })).toEqual([
      expect.stringMatching(/^SHUTDOWN_GRACE_MS:/),
    ]);
  });

  it('takes STRIPE_MAX_RPS over the mode default', () => {
    expect(loadConfig({ ...production, STRIPE_MAX_RPS: '40' }).stripe.maxRps).toBe(40);
  });

  it('limits each staff member to 120 changes a minute unless MUTATION_RATE_PER_MIN says otherwise', () => {
    expect(loadConfig(production).mutationRatePerMin).toBe(120);
    expect(loadConfig({ ...production, MUTATION_RATE_PER_MIN: '10' }).mutationRatePerMin).toBe(10);
    expect(problemsOf({ ...production, MUTATION_RATE_PER_MIN: '0' })).toEqual([
      expect.stringMatching(/^MUTATION_RATE_PER_MIN:/),
    ]);
  });
});
