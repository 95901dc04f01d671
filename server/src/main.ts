import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import type { DemoEnvironment } from './demo';
import { startJobWorker } from './jobs/runner';
import { HEALTH_SWEEP_SCHEDULER_ID, scheduleEvery } from './jobs/scheduled-sweep';
import { scheduleSessionSweep } from './jobs/session-sweep';
import { closeHttpServer, exitOnSignal, releasingWorker } from './lib/shutdown';
import { MetricsCollector } from './metrics/collector';
import { createServices } from './services/container';
import { ownStoreWarnings } from './services/own-store';
import { serveWeb } from './static-web';

/** `WEB_DIST`: a dashboard built elsewhere (a deployment's own build, or one test run's private build). */
const WEB_DIST = process.env.WEB_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

function loadConfigOrExit() {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(`cache-doctor: invalid configuration: ${problem}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const configured = loadConfigOrExit();
  let demo: DemoEnvironment | null = null;
  if (configured.demo) {
    console.log(
      `cache-doctor: demo mode — starting redis-server and sandbox upstreams, seeding ${configured.demoData.users} users ...`,
    );
    // loaded only here: a production start never loads the sandbox
    const { startDemo } = await import('./demo');
    demo = await startDemo(configured);
  }
  const config = demo?.config ?? configured;
  const services = createServices(config);
  // SPEC §7: said at start when Cache Doctor's own data could be evicted or is not kept
  for (const warning of await ownStoreWarnings(services.ownRedis, services.ownStore))
    console.warn(`cache-doctor: warning: ${warning}`);
  // a write a crash left between the two Redis servers is decided now, not at the first read
  await services.audit
    .reconcile()
    .catch((error: unknown) =>
      console.warn(`cache-doctor: warning: pending audit entries not checked: ${error}`),
    );
  // this process takes bulk-job tasks too; `pnpm worker` adds more processes (SPEC §4)
  const jobWorker = await startJobWorker(services);
  const jobTasks = releasingWorker(jobWorker.worker);
  // every instance registers the same BullMQ scheduler: one run per interval, whoever takes it
  await scheduleSessionSweep(services.jobQueue, config.sessionSweepEveryMs);
  await scheduleEvery(services.jobQueue, HEALTH_SWEEP_SCHEDULER_ID, config.sweepEveryMs);
  const app = createApp(services);
  const hasWeb = serveWeb(app, WEB_DIST);
  // The running server samples metrics (SPEC §5); the CLI builds services without a collector.
  const collector = new MetricsCollector(services);
  collector.start();

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${info.port}`;
    if (demo) {
      const lines = [
        'Cache Doctor — DEMO MODE',
        'Local redis-server, sandbox Stripe, Clerk and generation API,',
        `${demo.users} seeded users. No real customer data anywhere.`,
      ];
      const width = Math.max(...lines.map((line) => line.length));
      console.log(`\n  ┌${'─'.repeat(width + 2)}┐`);
      for (const line of lines) console.log(`  │ ${line.padEnd(width)} │`);
      console.log(`  └${'─'.repeat(width + 2)}┘`);
      console.log(
        config.authMode === 'clerk'
          ? `  Open ${url} and sign in with Clerk (the sandbox's page offers a support, ops and admin account).`
          : `  Open ${url} and sign in as support, ops or admin.`,
      );
      console.log(
        `  Redis: ${config.redisUrl}  Stripe: ${config.stripe.apiBase}  Clerk: ${config.clerk.apiUrl}`,
      );
      console.log('');
    } else {
      console.log(
        `cache-doctor: listening on ${url} (auth: ${config.authMode}, Stripe ${config.stripe.mode} mode)`,
      );
    }
    if (!hasWeb)
      console.log('cache-doctor: web/dist not found — API only (run `pnpm build` for the dashboard)');
  });

  exitOnSignal('cache-doctor', async () => {
    // /readyz answers 503 from now on
    services.readiness.markShuttingDown();
    const deadline = Date.now() + config.shutdownGraceMs;
    const [, tasks] = await Promise.all([
      // serve() without a `createServer` option makes a node:http server
      closeHttpServer(server as Server, deadline),
      jobTasks.close(deadline),
      collector.stop(),
    ]);
    // a released task's code may still be running here: its worker is left to the exit
    if (tasks.released > 0)
      console.log(`cache-doctor: ${tasks.released} unfinished job task(s) returned to the queue`);
    else await jobWorker.close();
    await services.close();
    await demo?.stop();
  });
}

await main();
