import { defineConfig } from '@playwright/test';
import { DEMO_SEED, DEMO_USERS } from './tests/fixtures';

/**
 * Browser tests against the real product in demo mode (own redis-server, sandbox upstreams,
 * seeded data), driven in Debian's chromium — never a downloaded browser.
 */
const port = Number(process.env.E2E_PORT ?? 8799);
export const baseURL = `http://127.0.0.1:${port}`;
/** A second demo server with `AUTH_MODE=clerk`: staff sign in through the sandbox Clerk. */
const clerkPort = Number(process.env.E2E_CLERK_PORT ?? port + 1);
const clerkBaseURL = `http://127.0.0.1:${clerkPort}`;

/** The product in demo mode on `serverPort`, seeded as the fixtures expect. */
function demoServer(serverPort: number, env: Record<string, string>) {
  return {
    command: 'pnpm exec tsx ../server/src/main.ts',
    url: `http://127.0.0.1:${serverPort}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    // one JSON line per request; errors go to stderr, which Playwright shows
    stdout: 'ignore' as const,
    env: { PORT: String(serverPort), DEMO_USERS: String(DEMO_USERS), DEMO_SEED: String(DEMO_SEED), ...env },
  };
}

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    },
  },
  // The demo project is listed first, so with one worker its specs run before the Clerk ones.
  projects: [
    { name: 'demo', testIgnore: 'clerk/**' },
    { name: 'clerk', testMatch: 'clerk/**/*.spec.ts', use: { baseURL: clerkBaseURL } },
  ],
  webServer: [
    demoServer(port, {
      // metrics.spec.ts: sample every second and fire after 2 s of breach, so an alert shows in
      // seconds. The seeded demo is broken on purpose (failed webhooks and generations, users out
      // of sync) and its simulated app has bursts of misses, so those rules are set where they
      // cannot fire: only the API error rate, which the spec drives with the sandbox's 5xx switch
      // (the simulated app's Clerk calls fail), may put an alert badge on other specs' pages; at
      // 50 % the app's rare simulated network blips never reach it.
      METRICS_SAMPLE_MS: '1000',
      ALERT_FOR_MS: '2000',
      ALERT_CACHE_HIT_RATE: '0',
      ALERT_WEBHOOK_SUCCESS_RATE: '0',
      ALERT_GENERATION_SUCCESS_RATE: '0',
      ALERT_SESSION_LOOKUP_SUCCESS_RATE: '0',
      ALERT_SYNC_FAILURE_RATE: '1',
      ALERT_API_ERROR_RATE: '0.5',
      // the app's slowest bucket bound: a loaded test machine must not fire it on others' pages
      ALERT_RESPONSE_TIME_P95: '2500',
    }),
    demoServer(clerkPort, { AUTH_MODE: 'clerk' }),
  ],
});
