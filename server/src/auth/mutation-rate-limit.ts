import { createHash } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { SharedRateLimiter } from '../adapters/rate-limiter';
import { OWN_KEYS } from '../keys';
import { errorBody } from '../lib/app-error';
import type { Services } from '../services/container';
import type { AppEnv } from './middleware';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WINDOW_MS = 60_000;

/** `{ "dryRun": true }` exactly; the body is JSON by now (`jsonBodiesOnly`) and read once, cached. */
async function isPreview(request: { json(): Promise<unknown> }): Promise<boolean> {
  const body = await request.json().catch(() => null);
  return typeof body === 'object' && body !== null && (body as { dryRun?: unknown }).dryRun === true;
}

/**
 * SPEC §8: each staff member may make `MUTATION_RATE_PER_MIN` changes a minute, counted in Redis
 * so every server instance shares the count. A leaked token, a stuck script or a held-down key
 * can rewrite only so many customers before someone notices. Runs after `requireStaff`.
 */
export const limitMutations = (services: Services) => {
  const limiters = new Map<string, SharedRateLimiter>();
  // Keyed by a digest of the staff id: a key is never built from text a request or an IdP supplied.
  const limiterFor = (actor: string) => {
    const id = createHash('sha256').update(actor).digest('hex').slice(0, 32);
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new SharedRateLimiter(
        services.ownRedis,
        services.keys.own(`${OWN_KEYS.mutationRate}${id}`),
        { requests: services.config.mutationRatePerMin, windowMs: WINDOW_MS },
        0,
      );
      limiters.set(id, limiter);
    }
    return limiter;
  };
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!MUTATING.has(c.req.method)) return next();
    // A preview writes nothing (SPEC §3 confirmed plans): looking twice before acting is no change.
    if (await isPreview(c.req)) return next();
    const waitMs = await limiterFor(c.get('staff').id).tryAcquire();
    if (waitMs === 0) return next();
    const seconds = Math.ceil(waitMs / 1000);
    return c.json(
      errorBody(
        'RATE_LIMITED',
        `At most ${services.config.mutationRatePerMin} changes a minute per person; try again in ${seconds} s.`,
      ),
      429,
      { 'Retry-After': String(seconds) },
    );
  });
};
