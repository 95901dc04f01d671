import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';
import { redisReady } from './adapters/redis';
import { analyticsCommand } from './cli/analytics';
import { type CliCommand, type CliIo, EXIT, type OpenedServices, UsageError } from './cli/command';
import { bulkRefreshCommand, rebuildCommand, sessionSweepCommand } from './cli/jobs';
import { sessionCommand } from './cli/session';
import { sweepCommand } from './cli/sweep';
import { userCommand } from './cli/user';
import { ConfigError, loadConfig } from './config';
import { createServices, type Services } from './services/container';

/**
 * `pnpm cli <command> ...` — the troubleshooting guide's scripts, kept (SPEC §10), on the same
 * services and audit log as the server. A new command is one entry in COMMANDS.
 */
export const COMMANDS: Record<string, CliCommand> = {
  user: userCommand,
  session: sessionCommand,
  analytics: analyticsCommand,
  sweep: sweepCommand,
  'bulk-refresh': bulkRefreshCommand,
  rebuild: rebuildCommand,
  'session-sweep': sessionSweepCommand,
};

export interface CliEnvironment {
  io: CliIo;
  /** builds the services (and the acting identity); called at most once, only when needed */
  open(): Promise<OpenedServices & { close(): Promise<void> }>;
}

function usage(): string {
  const lines = Object.values(COMMANDS).map(
    (command) => `  pnpm cli ${command.usage}\n      ${command.summary}`,
  );
  return `Usage:\n${lines.join('\n')}\n\nEvery command takes --json for machine-readable output.`;
}

const REDIS_CONNECT_MS = 5_000;

const errorCode = (error: unknown) => (error as { code?: unknown }).code;

/** Runs one command line; resolves to the exit code. Never exits the process itself. */
export async function runCli(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  const { io } = environment;
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`cache-doctor: unknown command "${name}"\n\n${usage()}`);
    return EXIT.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`Usage: pnpm cli ${command.usage}\n  ${command.summary}`);
    return EXIT.ok;
  }
  let opened: Awaited<ReturnType<CliEnvironment['open']>> | null = null;
  try {
    return await command.run({
      args,
      io,
      open: async () => {
        opened ??= await environment.open();
        return opened;
      },
    });
  } catch (error) {
    if (
      error instanceof UsageError ||
      (typeof errorCode(error) === 'string' && String(errorCode(error)).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.err(`cache-doctor ${name}: ${(error as Error).message}\nUsage: pnpm cli ${command.usage}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      for (const problem of error.problems) io.err(`cache-doctor: invalid configuration: ${problem}`);
      return EXIT.failed;
    }
    io.err(`cache-doctor ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  } finally {
    await (opened as { close(): Promise<void> } | null)?.close();
  }
}

/** The operating-system user, as the audit log's actor: `cli:<user>`, acting as admin. */
export function cliActor(): OpenedServices['actor'] {
  let user = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep the environment's idea of the user
  }
  return { id: `cli:${user}`, name: `cli:${user}`, role: 'admin' };
}

/**
 * Services from the environment, as the server builds them. The CLI acts on a deployment's
 * Redis, so demo mode (no REDIS_URL) is refused; staff tokens are not needed to run it.
 */
async function openFromEnvironment(): Promise<OpenedServices & { close(): Promise<void> }> {
  const env = { ...process.env };
  if ((env.AUTH_MODE ?? 'token') === 'token' && !env.STAFF_TOKENS)
    env.STAFF_TOKENS = 'cli:admin:cli-does-not-authenticate-over-http';
  const config = loadConfig(env);
  if (!config.redisUrl)
    throw new ConfigError([
      'REDIS_URL: the CLI works on a deployment’s Redis; set REDIS_URL, STRIPE_SECRET_KEY, CLERK_SECRET_KEY (and GENERATION_API_URL/TOKEN to generate)',
    ]);
  const services: Services = createServices(config);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([redisReady(services.redis), redisReady(services.ownRedis)]),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `Redis at ${[...new Set([config.redisUrl, config.ownRedisUrl])].join(' and ')} did not answer within ${REDIS_CONNECT_MS / 1000} s`,
              ),
            ),
          REDIS_CONNECT_MS,
        );
      }),
    ]);
  } catch (error) {
    await services.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { services, actor: cliActor(), close: () => services.close() };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

if (isMain) {
  const io: CliIo = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    ...(process.stdin.isTTY && {
      async confirm(question: string) {
        const prompt = createInterface({ input: process.stdin, output: process.stderr });
        try {
          return /^y(es)?$/i.test((await prompt.question(question)).trim());
        } finally {
          prompt.close();
        }
      },
    }),
  };
  process.exitCode = await runCli(process.argv.slice(2), { io, open: openFromEnvironment });
}
