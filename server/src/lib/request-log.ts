import type { Staff } from '@cache-doctor/shared';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../auth/middleware';
import type { Logger } from './log';

/**
 * One line per request: who did what and how it ended. The path only — never the query string
 * (searches carry emails) nor headers (they carry the bearer token).
 */
export const requestLog = (log: Logger) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    const staff = c.get('staff') as Staff | undefined;
    const status = c.res.status;
    log(status >= 500 ? 'error' : 'info', {
      msg: 'request',
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      actor: staff?.name ?? null,
      role: staff?.role ?? null,
    });
  });
