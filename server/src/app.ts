import type { ErrorCode } from '@cache-doctor/shared';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import Stripe from 'stripe';
import { isRedisUnavailable } from './adapters/redis';
import { type AppEnv, requireStaff } from './auth/middleware';
import { limitMutations } from './auth/mutation-rate-limit';
import { AppError, errorBody } from './lib/app-error';
import { jsonBodiesOnly } from './lib/json-body';
import { createLogger, type Logger } from './lib/log';
import { ownRequestId, requestLog } from './lib/request-log';
import { strictTransportSecurity } from './lib/transport';
import { UpstreamTimeoutError } from './lib/upstream-meter';
import { attentionRoutes } from './routes/attention';
import { auditRoutes } from './routes/audit';
import { authRoutes } from './routes/auth';
import { customerStoryRoutes } from './routes/customer-story';
import { jobRoutes } from './routes/jobs';
import { metricsRoutes, prometheusRoutes } from './routes/metrics';
import { policyRoutes } from './routes/policies';
import { promptRoutes } from './routes/prompts';
import { serviceRoutes } from './routes/service';
import { sessionRoutes } from './routes/sessions';
import { userRoutes } from './routes/users';
import type { Services } from './services/container';

const MAX_BODY_BYTES = 64 * 1024;

/**
 * The built SPA loads only its own scripts and styles (no inline code, no third-party origin), and
 * talks only to this server; nothing may frame it. React and Recharts set styles through the DOM,
 * which `style-src` does not govern.
 */
const SECURITY_HEADERS = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  // only over HTTPS: `strictTransportSecurity` decides per request
  strictTransportSecurity: false,
});

const BODY_LIMIT = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError('PAYLOAD_TOO_LARGE', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  },
});

/**
 * GET and HEAD have no body (the Node adapter never reads one for them), yet asking Hono for it
 * builds a full WHATWG Request: that alone was a tenth of a health read's CPU.
 */
const limitBody: MiddlewareHandler = (c, next) =>
  c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : BODY_LIMIT(c, next);

/** SPEC §6: no `/api` answer (customer data, error or not) is kept by a browser or a proxy. */
const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
};

/**
 * The one place an error code becomes an HTTP status: the core throws `AppError` with a code of
 * `shared/` and never names a status; jobs and the CLI read the same codes.
 */
export const ERROR_STATUS: Record<
  ErrorCode,
  ContentfulStatusCode | ((error: AppError) => ContentfulStatusCode)
> = {
  INVALID_ID: 400,
  INVALID_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NO_ROLE: 403,
  DEMO_DISABLED: 403,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  CUSTOMER_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  AUDIT_ENTRY_NOT_FOUND: 404,
  CONFLICT: 409,
  STATUS_EXISTS: 409,
  PAYMENT_NOT_COMPLETED: 409,
  SESSION_MALFORMED: 409,
  ACTION_NOT_AVAILABLE: 409,
  UNDO_CONFLICT: 409,
  NOT_UNDOABLE: 409,
  PLAN_CHANGED: 409,
  GENERATION_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOTHING_TO_CACHE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UPSTREAM_ERROR: 502,
  REDIS_UNAVAILABLE: 503,
  GENERATION_NOT_CONFIGURED: 503,
  // one code, two answers (SPEC §3): 504 for the start that timed out just now, 409 for later tries
  GENERATION_OUTCOME_UNKNOWN: (error) =>
    (error.details as { startedNow?: boolean } | undefined)?.startedNow === true ? 504 : 409,
};

export function statusOf(error: AppError): ContentfulStatusCode {
  const status = ERROR_STATUS[error.code];
  return typeof status === 'function' ? status(error) : status;
}

/** The HTTP API. Static files (the built SPA) are added by the entry point, not here. */
export function createApp(services: Services, options: { log?: Logger } = {}) {
  const log = options.log ?? createLogger();
  const app = new Hono<AppEnv>()
    // first, so that refusals of the middleware below (413, 415) carry it too
    .use('/api/*', noStore)
    .use(ownRequestId)
    .use(requestLog(log))
    .use(SECURITY_HEADERS)
    .use(strictTransportSecurity(services.config.trustedProxies))
    .use(limitBody)
    .use(jsonBodiesOnly)
    .use('/api/*', services.requestLatency.middleware())
    .use('/api/*', requireStaff(services.authenticator))
    .use('/api/*', limitMutations(services))
    .get('/healthz', (c) => c.json({ ok: true as const }))
    .get('/readyz', async (c) => {
      const report = await services.readiness.check();
      return c.json(report, report.ready ? 200 : 503);
    })
    .route('/metrics', prometheusRoutes(services))
    .route('/auth', authRoutes(services))
    .route('/api', serviceRoutes(services))
    .route('/api/audit', auditRoutes(services))
    .route('/api/sessions', sessionRoutes(services))
    .route('/api', promptRoutes(services))
    .route('/api', userRoutes(services))
    .route('/api', customerStoryRoutes(services))
    .route('/api/attention', attentionRoutes(services))
    .route('/api/jobs', jobRoutes(services))
    .route('/api/metrics', metricsRoutes(services))
    .route('/api/policies', policyRoutes(services));

  app.onError((error, c) => {
    if (error instanceof AppError) return answerError(c, error);
    // Hono's own refusals, e.g. a body that is not the JSON its content type claims
    if (error instanceof HTTPException && error.status < 500)
      return c.json(errorBody('INVALID_REQUEST', error.message), error.status);
    const known = knownFailure(error);
    if (known) return answerError(c, known);
    // The stack goes to the log, never into the answer.
    log('error', { msg: 'unhandled', requestId: c.get('requestId'), error, stack: error.stack });
    return answerError(c, new AppError('INTERNAL', 'Something went wrong on our side; nothing was written.'));
  });
  app.notFound((c) =>
    answerError(c, new AppError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`)),
  );
  return app;
}

/** An error's answer: its code, words and details, with the status `ERROR_STATUS` gives the code. */
const answerError = (c: Context, error: AppError) =>
  c.json(errorBody(error.code, error.message, error.details), statusOf(error));

/** Failures the core does not throw as `AppError` but that have a code: upstreams and Redis down. */
function knownFailure(error: Error): AppError | null {
  const upstream = upstreamFailure(error);
  if (upstream) return new AppError('UPSTREAM_ERROR', upstream);
  if (isRedisUnavailable(error))
    return new AppError('REDIS_UNAVAILABLE', 'Redis is unreachable; nothing was written. Try again shortly.');
  return null;
}

/** Stripe, Clerk and generation API failures: the upstream's words, never our stack. */
function upstreamFailure(error: Error): string | null {
  if (error instanceof UpstreamTimeoutError) return `${error.message}; nothing was written.`;
  if (error instanceof Stripe.errors.StripeError)
    return `Stripe failed: ${error.message}; nothing was written.`;
  if ((error as { clerkError?: unknown }).clerkError === true) {
    return `Clerk failed: ${error.message}; nothing was written.`;
  }
  return null;
}

export type AppType = ReturnType<typeof createApp>;
