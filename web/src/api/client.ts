import type { AppType } from '@cache-doctor/server/app';
import { type ClientResponse, hc } from 'hono/client';
import { ApiError, NETWORK_ERROR, toApiError } from './errors';
import { getToken } from './token';

/**
 * The typed client for the Cache Doctor server (`hc<AppType>`); the payload types derived from it
 * are in types.ts.
 */

/** Adds the bearer token and turns "could not connect" into an ApiError with words in it. */
const authorisedFetch: typeof fetch = async (input, init) => {
  const headers = new Headers(init?.headers);
  const token = getToken();
  // A header set by the caller wins: the sign-in page checks a token before storing it.
  if (token && !headers.has('Authorization')) headers.set('Authorization', `Bearer ${token}`);
  try {
    return await fetch(input, { ...init, headers });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(
      0,
      NETWORK_ERROR,
      'Could not reach the Cache Doctor server. Check your connection, or whether the server is running.',
      cause,
    );
  }
};

export const client = hc<AppType>('/', { fetch: authorisedFetch });

/** 2xx statuses with a body, as hono's own `parseResponse` picks them. */
type SuccessStatus = 200 | 201 | 202 | 203 | 206 | 207 | 208 | 226;
type SuccessBody<R> =
  R extends ClientResponse<infer T, infer S, 'json'> ? (S extends SuccessStatus ? T : never) : never;

/**
 * The JSON body of a successful response; anything else throws an ApiError with the server's
 * code and message. 401s are not redirected here: the QueryClient does that (see queryClient.ts),
 * so a caller like the sign-in page can opt out.
 */
export async function unwrap<R extends ClientResponse<unknown, number, 'json'>>(
  response: R | Promise<R>,
): Promise<SuccessBody<R>> {
  const res = await response;
  if (!res.ok) throw await toApiError(res as unknown as Response);
  return (await res.json()) as SuccessBody<R>;
}
