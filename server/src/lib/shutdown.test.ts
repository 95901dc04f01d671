import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHttpServer } from './shutdown';

/** A server whose answers wait until the test releases them. */
async function slowServer(): Promise<{
  server: Server;
  url: string;
  answer: () => void;
  arrived: Promise<void>;
}> {
  let answer = () => {};
  let arrive = () => {};
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const server = createServer((_request, response) => {
    answer = () => response.end('done');
    arrive();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/`, answer: () => answer(), arrived };
}

describe('closeHttpServer', () => {
  const open: Server[] = [];
  afterEach(() => {
    for (const server of open.splice(0)) server.closeAllConnections();
  });

  it('stops accepting at once and lets a request in flight finish before the deadline', async () => {
    const { server, url, answer, arrived } = await slowServer();
    open.push(server);
    const inFlight = fetch(url);
    await arrived;
    const closed = closeHttpServer(server, Date.now() + 10_000);
    await expect(fetch(url)).rejects.toThrow();
    answer();
    const response = await inFlight;
    expect(await response.text()).toBe('done');
    await closed;
    expect(server.listening).toBe(false);
  });

  it('cuts a request still running at the deadline', async () => {
    const { server, url, arrived } = await slowServer();
    open.push(server);
    const inFlight = fetch(url).then(
      () => 'answered',
      () => 'cut',
    );
    await arrived;
    await closeHttpServer(server, Date.now() + 100);
    expect(await inFlight).toBe('cut');
    expect(server.listening).toBe(false);
  });
});
