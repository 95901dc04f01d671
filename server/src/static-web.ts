import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from './auth/middleware';

const API_PREFIXES = ['/api/', '/auth/', '/healthz'];

/**
 * Serves the built SPA; any other GET that is not an API path gets index.html so deep links such
 * as /users/user_123 load the app, which then routes on the client.
 */
export function serveWeb(app: Hono<AppEnv>, distDir: string): boolean {
  const indexPath = join(distDir, 'index.html');
  if (!existsSync(indexPath)) return false;
  const indexHtml = readFileSync(indexPath, 'utf8');
  const assets = serveStatic({ root: distDir });
  // the build keeps its source maps for us; they are not handed to browsers
  app.use('/assets/*', async (c, next) => (c.req.path.endsWith('.map') ? c.notFound() : assets(c, next)));
  app.get('*', async (c, next) => {
    if (API_PREFIXES.some((prefix) => c.req.path.startsWith(prefix))) return next();
    // `/metrics` is both the dashboard's page and Prometheus' scrape path: browsers ask for HTML.
    if (c.req.path === '/metrics' && !c.req.header('accept')?.includes('text/html')) return next();
    return c.html(indexHtml);
  });
  return true;
}
