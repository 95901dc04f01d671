import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private, throw-away redis-server for tests, demo mode and benchmarks: a free loopback port,
 * no persistence, its own temp dir, stopped (and the dir removed) by `stop()`.
 */
export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stop the process without removing its dir, e.g. to simulate Redis going down. */
  kill(): Promise<void>;
  /**
   * Start it again on the same port after `kill()`. `appendOnly` loads (and keeps writing) the
   * append-only file, for a server switched to persistence with `CONFIG SET appendonly yes`.
   */
  restart(options?: { appendOnly?: boolean }): Promise<void>;
  /** SIGSTOP: the process hangs with its connections open, as a stalled or overloaded server does. */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** SIGKILL: gone at once, nothing flushed (with no persistence, every key is lost). */
  crash(): Promise<void>;
}

const READY_LINE = 'Ready to accept connections';
const START_TIMEOUT_MS = 10_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a port'));
      });
    });
  });
}

function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Installs Debian's redis-server when we may (root), else says exactly what to run. */
export function ensureRedisServerBinary(): void {
  if (hasBinary('redis-server')) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && hasBinary('apt-get')) {
    process.stderr.write('redis-server not found: installing Debian package redis-server ...\n');
    execFileSync(
      'sh',
      ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server'],
      {
        stdio: 'inherit',
      },
    );
    if (hasBinary('redis-server')) return;
  }
  throw new Error(
    'redis-server is not installed. Install it with: sudo apt-get install -y redis-server (Debian/Ubuntu) or brew install redis (macOS)',
  );
}

function spawnRedis(port: number, dir: string, appendOnly = false): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
      ...['--appendonly', appendOnly ? 'yes' : 'no', '--appendfsync', 'always'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not become ready within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code} before it was ready:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // a paused server would not act on SIGTERM until continued
    child.kill('SIGCONT');
    child.kill(signal);
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  ensureRedisServerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'cache-doctor-redis-'));
  const port = await freePort();
  let child = await spawnRedis(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => stopChild(child),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    crash: () => stopChild(child, 'SIGKILL'),
    async restart(options = {}) {
      await stopChild(child);
      child = await spawnRedis(port, dir, options.appendOnly);
    },
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
