import { ConfigError, loadConfig } from './config';
import { startJobWorker } from './jobs/runner';
import { exitOnSignal, releasingWorker } from './lib/shutdown';
import { createServices } from './services/container';

/**
 * `pnpm worker`: one more process taking bulk-job tasks from the shared queue (SPEC §4). Start as
 * many as you like, on any machine that reaches the same Redis and upstreams; they share every
 * job, and the Stripe and Clerk rate limits, with the servers' own workers.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems)
      console.error(`cache-doctor worker: invalid configuration: ${problem}`);
    process.exit(1);
  }
  if (!config.redisUrl) {
    console.error('cache-doctor worker: REDIS_URL is required (a worker joins an existing deployment)');
    process.exit(1);
  }
  const services = createServices(config);
  const worker = await startJobWorker(services);
  const tasks = releasingWorker(worker.worker);
  console.log(`cache-doctor worker: ready (pid ${process.pid})`);
  exitOnSignal('cache-doctor worker', async () => {
    const { released } = await tasks.close(Date.now() + config.shutdownGraceMs);
    // a released task's code may still be running here: its worker is left to the exit
    if (released > 0)
      console.log(`cache-doctor worker: ${released} unfinished task(s) returned to the queue`);
    else await worker.close();
    await services.close();
  });
}

await main();
