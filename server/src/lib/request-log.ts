import { randomUUID } from 'node:crypto';
import type { Staff } from '@cache-doctor/shared';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../auth/middleware';
import type { Logger } from './log';

const REQUEST_ID_HEADER = 'X-Request-Id';
/** What is kept of a client's own request id: enough to correlate, never free text for the log. */
const CLIENT_ID_SHAPE = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Every request gets an id of ours (answered as X-Request-Id). A client's X-Request-Id is never
 * used as ours — anyone could reuse one to muddle the log — but is logged beside it when it has the
 * shape of an id (else dropped), so a caller can still find its request.
 */
export const ownRequestId = createMiddleware<AppEnv>(async (c, next) => {
  const id = randomUUID();
  c.set('requestId', id);
  const theirs = c.req.header(REQUEST_ID_HEADER);
  if (theirs !== undefined && CLIENT_ID_SHAPE.test(theirs)) c.set('clientRequestId', theirs);
  c.header(REQUEST_ID_HEADER, id);
  await next();
});

/** Path parameters that are ids (SPEC §6 shapes, audit and job ids); anything else is not logged. */
const LOGGABLE_ID = /^(user_[A-Za-z0-9]+|cus_[A-Za-z0-9]+|cs_(test|live)_[A-Za-z0-9]+|[0-9a-z]{10,40})$/;

/**
 * The path as the route declares it, with the parameters that are ids filled in: a search term, an
 * email typed where an id belongs or a mistyped URL never reaches the log. A request no route
 * answered is logged without a path.
 */
function loggablePath(c: Parameters<Parameters<typeof createMiddleware<AppEnv>>[0]>[0]): string | null {
  const route = matchedRoutes(c).findLast((entry) => entry.method !== 'ALL');
  if (!route) return null;
  // every request logs its path: a route without parameters is its own path, and a parameter is
  // decoded only when the path names it
  if (!route.path.includes(':')) return route.path;
  return route.path.replace(/:(\w+)/g, (whole, name: string) => {
    const value = c.req.param(name) as string | undefined;
    return value !== undefined && LOGGABLE_ID.test(value) ? value : whole;
  });
}

/**
 * One line per request: who did what and how it ended. The path as described above — never the
 * query string (searches carry emails) nor headers (they carry the bearer token).
 */
export const requestLog = (log: Logger) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    const staff = c.get('staff') as Staff | undefined;
    const status = c.res.status;
    const clientRequestId = c.get('clientRequestId');
    log(status >= 500 ? 'error' : 'info', {
      msg: 'request',
      requestId: c.get('requestId'),
      ...(clientRequestId && { clientRequestId }),
      method: c.req.method,
      path: loggablePath(c),
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      actor: staff?.id ?? null,
      role: staff?.role ?? null,
    });
  });
