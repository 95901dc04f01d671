import { createRedis, redisReady } from './adapters/redis';
import type { Config } from './config';
import { createKeys } from './keys';
import { type RedisServer, startRedisServer } from './lib/redis-server';
import { type Sandbox, startSandbox } from './sandbox';
import { buildSeed, datasetWithStaff, writeSeedToRedis } from './sandbox/seed';
import { startSimulatedApp } from './sandbox/simulated-app';

/** The generation sandbox checks a bearer token like the real API; this one never leaves the process. */
const DEMO_GENERATION_TOKEN = 'demo-generation-token';

export interface DemoEnvironment {
  /** the configuration with the local redis-server and sandbox upstreams filled in */
  config: Config;
  users: number;
  stop(): Promise<void>;
}

/**
 * Demo mode (SPEC §7): its own redis-server, the sandbox upstreams in process, and a seeded
 * dataset of healthy and broken customers and sessions, and a simulated app whose lookups the
 * charts show. The only product code that imports the sandbox.
 */
export async function startDemo(config: Config): Promise<DemoEnvironment> {
  let redisServer: RedisServer | undefined;
  let sandbox: Sandbox | undefined;
  try {
    redisServer = await startRedisServer();
    const seed = buildSeed({ users: config.demoData.users, seed: config.demoData.seed });
    // With AUTH_MODE=clerk the seeded staff sign in through the sandbox's hosted page.
    const dataset = config.authMode === 'clerk' ? datasetWithStaff(seed) : seed.dataset;
    sandbox = await startSandbox({ dataset, generationToken: DEMO_GENERATION_TOKEN });
    const redis = createRedis(redisServer.url, { name: 'cache-doctor-seeder' });
    try {
      await redisReady(redis);
      await writeSeedToRedis(redis, seed.redisWrites);
    } finally {
      redis.disconnect();
    }
    const keys = createKeys(config.keys, config.ownPrefix);
    // the demo's app, looking its customers up through the reporter (SPEC §5.1)
    const app = startSimulatedApp({
      redisUrl: redisServer.url,
      ownPrefix: config.ownPrefix,
      userKey: keys.user,
      customerKey: keys.customer,
      cachedUsers: Object.entries(seed.planted.users)
        .filter(([, codes]) => codes.length === 0)
        .map(([userId]) => userId),
      clerk: { url: sandbox.clerkUrl, secretKey: config.clerk.secretKey },
      stripe: { url: sandbox.stripeUrl, secretKey: config.stripe.secretKey },
    });
    const started = { redisServer, sandbox, app };
    return {
      users: config.demoData.users,
      config: {
        ...config,
        redisUrl: redisServer.url,
        ownRedisUrl: redisServer.url,
        stripe: { ...config.stripe, apiBase: sandbox.stripeUrl },
        clerk: {
          ...config.clerk,
          apiUrl: sandbox.clerkUrl,
          // The sandbox's keys are fetched from its JWKS; a configured key would be another instance's.
          jwtKey: undefined,
          signInUrl: sandbox.clerkSessions.signInUrl,
          issuer: sandbox.clerkSessions.issuer,
        },
        generation: { ...config.generation, url: sandbox.generationUrl, token: DEMO_GENERATION_TOKEN },
      },
      async stop() {
        await started.app.stop();
        await started.sandbox.close();
        await started.redisServer.stop();
      },
    };
  } catch (error) {
    await sandbox?.close();
    await redisServer?.stop();
    throw error;
  }
}
