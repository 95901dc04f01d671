import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { DEFAULT_GENERATION_TOKEN } from '../src/sandbox';
import { GENERATION_TOKEN, STAFF } from './harness';

/**
 * SPEC §8 "secrets never reach the browser": every file the server would hand a browser (the
 * built SPA, source maps included) is searched for every credential the tests and the demo
 * configure, and for anything shaped like a Stripe or Clerk secret key or a PEM key.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB_DIST = join(REPO_ROOT, 'web/dist');

const SECRET_SHAPES = [
  /\b(sk|rk)_(test|live)_[A-Za-z0-9]/,
  /\bwhsec_[A-Za-z0-9]/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /-----BEGIN PUBLIC KEY-----/,
];

/** The credentials configured in the harness, the demo and this process' environment. */
function configuredSecrets(): string[] {
  const demo = loadConfig({});
  const fromEnv = [
    'STRIPE_SECRET_KEY',
    'CLERK_SECRET_KEY',
    'CLERK_JWT_KEY',
    'GENERATION_API_TOKEN',
    'STAFF_TOKENS',
  ].map((name) => process.env[name]);
  const staffTokens = (process.env.STAFF_TOKENS ?? '').split(',').map((entry) => entry.split(':')[2]);
  return [
    ...Object.values(STAFF).map((staff) => staff.token),
    GENERATION_TOKEN,
    DEFAULT_GENERATION_TOKEN,
    'sk_test_harness',
    demo.stripe.secretKey,
    demo.clerk.secretKey,
    ...fromEnv,
    ...staffTokens,
  ].filter((secret): secret is string => typeof secret === 'string' && secret.length >= 8);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the built web bundle', () => {
  beforeAll(() => {
    // `npm test` builds before vitest runs; a bare `vitest run` builds it here rather than pass vacuously.
    if (!existsSync(join(WEB_DIST, 'index.html'))) {
      execFileSync('pnpm', ['--filter', '@cache-doctor/web', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
    }
  }, 300_000);

  it('contains none of the configured secrets and nothing shaped like a secret key', () => {
    const files = filesUnder(WEB_DIST);
    expect(files.some((file) => file.endsWith('.js'))).toBe(true);
    const secrets = configuredSecrets();
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const leaks: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${file}: a configured secret`);
      for (const shape of SECRET_SHAPES) {
        const found = shape.exec(text);
        if (found) leaks.push(`${file}: ${shape} at ${found.index}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
