import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { type LoadResult, timed } from './lib';

export interface HttpLoadOptions {
  /** e.g. http://127.0.0.1:8787 */
  origin: string;
  /** the path of the i-th request, so requests spread over many ids */
  path: (index: number) => string;
  connections: number;
  requests: number;
  headers?: Record<string, string>;
}

/**
 * Load over real sockets with autocannon: `connections` keep-alive connections, each sending its
 * next request as soon as the previous one answered. Latencies are taken from autocannon's
 * per-response timings (its own histogram rounds to whole milliseconds). Throws on any non-2xx
 * answer or socket error: a bench must not time errors.
 */
export async function httpLoad(options: HttpLoadOptions): Promise<LoadResult> {
  let next = 0;
  const latencies: number[] = [];
  const { result, ms: wallMs } = await timed(
    () =>
      new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon(
          {
            url: options.origin,
            connections: options.connections,
            amount: options.requests,
            headers: options.headers ?? {},
            requests: [{ setupRequest: (request) => ({ ...request, path: options.path(next++) }) }],
          },
          (error, done) => (error ? reject(error) : resolve(done)),
        );
        instance.on('response', (_client, _status, _bytes, responseTime) => {
          latencies.push(responseTime);
        });
      }),
  );
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${options.origin}${options.path(0)}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return { latencies, wallMs, perSecond: (latencies.length / wallMs) * 1000 };
}

/**
 * CPU time a process (all its threads) has used so far, in ms, from Linux' /proc (clock ticks of
 * 10 ms); null elsewhere. On a shared machine CPU per request moves far less than latency when
 * other processes are busy (it still grows some with contention), so it is the figure to compare.
 */
export function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** `httpLoad` on the server process `pid`, plus the CPU it spent per request (µs; null off Linux). */
export async function httpLoadOn(
  pid: number,
  options: HttpLoadOptions,
): Promise<LoadResult & { cpuMicrosPerRequest: number | null }> {
  const before = processCpuMs(pid);
  const result = await httpLoad(options);
  const after = processCpuMs(pid);
  const cpu = before === null || after === null ? null : ((after - before) * 1000) / options.requests;
  return { ...result, cpuMicrosPerRequest: cpu };
}

/** What Node's own HTTP server does with nothing in it: the floor of any Node server here. */
const CONSTANT_SERVER = `
const server = require('node:http').createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"ok":true}');
});
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
`;

/** Starts a bare `node:http` server answering a constant, in a process of its own. */
export async function startConstantServer(): Promise<{ origin: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', CONSTANT_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const origin = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`constant server exited (${code})`)));
    child.stdout?.once('data', (chunk) => resolve(String(chunk).trim().replace('listening on ', '')));
  });
  return { origin, child };
}
