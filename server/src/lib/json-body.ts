import { createMiddleware } from 'hono/factory';
import { AppError } from './app-error';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const mediaType = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase() ?? '';

/**
 * SPEC §6: bodies are JSON or refused. Hono's JSON validator skips a body whose content type is not
 * JSON and validates `{}` instead, so `{"dryRun":true}` sent as text/plain (or a form, multipart,
 * or with no content type) would pass as "no options" and apply a write. Refusing every non-JSON
 * body here, before any route runs, closes that for every route at once. An empty body is `{}`.
 */
export const jsonBodiesOnly = createMiddleware(async (c, next) => {
  if (!WITH_BODY.has(c.req.method)) return next();
  const body = await c.req.text();
  if (body.length === 0) {
    // an empty body under application/json would otherwise be "malformed JSON" (json() parses the cached text)
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
    return next();
  }
  if (mediaType(c.req.header('content-type')) !== 'application/json') {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Request bodies must be JSON sent as Content-Type: application/json; nothing was changed.',
    );
  }
  return next();
});
