import { metricsRangeSchema } from '@cache-doctor/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/middleware';
import { validate } from '../lib/validate';
import { PrometheusExporter } from '../metrics/prometheus';
import { readMetrics } from '../metrics/read';
import type { Services } from '../services/container';

const rangeQuery = z.object({
  range: metricsRangeSchema.default('1h'),
});

/** `GET /api/metrics?range=1h|24h|7d` (SPEC §6.4); staff identity required like every /api route. */
export const metricsRoutes = (services: Services) =>
  new Hono<AppEnv>().get('/', validate('query', rangeQuery), async (c) =>
    c.json({
      ...(await readMetrics(services, c.req.valid('query').range, Date.now())),
      /** how long a breach lasts before its alert fires, so a pending alert can say how far it is */
      alertForMs: services.config.alerts.forMs,
    }),
  );

/**
 * `GET /metrics` for Prometheus, outside /api and without a token (scrapers rarely carry one):
 * aggregate figures and alert states only, nothing that names a user, customer or session.
 */
export const prometheusRoutes = (services: Services) => {
  const exporter = new PrometheusExporter(services);
  return new Hono<AppEnv>().get('/', async (c, next) => {
    // `/metrics` is also the dashboard's page: a browser asking for HTML gets the SPA (static-web.ts).
    if (c.req.header('accept')?.includes('text/html')) return next();
    return c.body(await exporter.render(), 200, { 'content-type': exporter.contentType });
  });
};
