/**
 * Every failed call becomes an ApiError carrying the server's stable `code` (branch on it) and its
 * `message` (show it). The server's body is `{ error: { code, message } }` (SPEC §6).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get isUnauthenticated(): boolean {
    return this.status === 401;
  }
}

export const NETWORK_ERROR = 'NETWORK_ERROR';

function isErrorBody(body: unknown): body is { error: { code: string; message: string; details?: unknown } } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** Reads a non-2xx response into an ApiError, whatever the body turned out to be. */
export async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON: a proxy or gateway answered (e.g. the dev proxy while the server is down).
  }
  if (isErrorBody(body))
    return new ApiError(res.status, body.error.code, body.error.message, body.error.details);
  const fallback =
    res.status === 502 || res.status === 503 || res.status === 504
      ? 'The Cache Doctor server is not answering. Check that it is running.'
      : `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`;
  return new ApiError(res.status, res.status === 401 ? 'UNAUTHENTICATED' : 'HTTP_ERROR', fallback);
}

/** The text to show a person for any error a query or mutation produced. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
