import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { matchedRoutes } from 'hono/route';
import { z } from 'zod';
import { type FaultController, faultPatchSchema, type RequestCounters } from './faults';

/** How one upstream words the errors the shared layer produces on its behalf. */
export interface ErrorStyle {
  rateLimited(c: Context, retryAfterSeconds: number): Response;
  serverError(c: Context, status: number): Response;
  notFound(c: Context): Response;
}

export interface UpstreamOptions {
  routes: Hono;
  faults: FaultController;
  counters: RequestCounters;
  errors: ErrorStyle;
  /** puts the upstream's data back as last loaded (`POST /__sandbox/reset?data=true`) */
  resetData(): void;
}

const CONTROL_PREFIX = '/__sandbox/';

/**
 * The route template a request matched, e.g. `GET /v1/customers/:id`. Hono answers with the first
 * matching handler in registration order, so the first non-middleware match is the one that runs
 * (known before it runs, which lets faults count a request they short-circuit).
 */
function routeTemplate(c: Context): string {
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL');
  return `${c.req.method} ${route ? route.path : '(unmatched)'}`;
}

/**
 * One upstream's HTTP app: the control routes (no auth, no faults, not counted), then the fault
 * layer and counters in front of the upstream's own routes.
 */
export function createUpstreamApp(options: UpstreamOptions): Hono {
  const { faults, counters, errors } = options;
  const app = new Hono();

  app.get(`${CONTROL_PREFIX}faults`, (c) => c.json(faults.get()));
  app.put(`${CONTROL_PREFIX}faults`, async (c) => {
    const parsed = faultPatchSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      return c.json({ error: { code: 'INVALID_FAULTS', message: z.prettifyError(parsed.error) } }, 400);
    }
    return c.json(faults.set(parsed.data));
  });
  app.get(`${CONTROL_PREFIX}counters`, (c) => c.json(counters.snapshot()));
  app.post(`${CONTROL_PREFIX}reset`, (c) => {
    faults.reset();
    counters.reset();
    const data = c.req.query('data') === 'true';
    if (data) options.resetData();
    return c.json({ ok: true, data });
  });

  app.use('*', async (c, next) => {
    if (c.req.path.startsWith(CONTROL_PREFIX)) return next();
    counters.arrived(routeTemplate(c));
    const decision = faults.decide();
    const { latencyMs } = faults.get();
    if (latencyMs > 0) await delay(latencyMs);
    if (decision.kind === 'rate-limited') {
      c.res = errors.rateLimited(c, decision.retryAfterSeconds);
    } else if (decision.kind === 'server-error') {
      c.res = errors.serverError(c, decision.status);
    } else {
      await next();
    }
    counters.answered(c.res.status);
  });

  app.route('/', options.routes);
  app.notFound((c) => errors.notFound(c));
  app.onError((error, c) => {
    console.error('[sandbox] handler failed:', error);
    return errors.serverError(c, 500);
  });
  return app;
}

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Listens on a free port (or the given one) and closes without waiting for idle keep-alive sockets. */
export function listen(app: Hono, host: string, port = 0): Promise<Listening> {
  const server: ServerType = createAdaptorServer({ fetch: app.fetch, hostname: host });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${address.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close((error) => (error ? fail(error) : done()));
          }),
      });
    });
  });
}

/** The bearer token of a request, or null. */
export function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization');
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? null;
}
