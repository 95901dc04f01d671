import type { Config } from '../config';
import type { GenerationRequest } from '../domain/session-generation';
import type { UpstreamMeter } from '../lib/upstream-meter';

export interface GenerationFile {
  id: string;
  [field: string]: unknown;
}

export class GenerationApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/**
 * A start that got no HTTP answer — its deadline passed, the connection was reset — may still have
 * started a paid video: its outcome is unknown. Only an HTTP answer says for sure that it did not.
 */
export const isOutcomeUnknown = (error: unknown): boolean =>
  !(error instanceof GenerationApiError && error.status !== null);

export interface GenerationGateway {
  readonly configured: boolean;
  startVideo(request: GenerationRequest): Promise<GenerationFile>;
  getFile(id: string): Promise<GenerationFile>;
  probe(): Promise<void>;
}

export function createGenerationGateway(
  config: Config['generation'],
  meter: UpstreamMeter,
  timeoutMs: number,
): GenerationGateway {
  const call = (path: string, init: RequestInit = {}, deadlineMs = timeoutMs) =>
    meter.measure('generation', deadlineMs, async (signal) => {
      if (!config.url) throw new GenerationApiError('GENERATION_API_URL is not configured', null);
      const response = await fetch(new URL(path, config.url), {
        ...init,
        signal,
        headers: {
          authorization: `Bearer ${config.token ?? ''}`,
          'content-type': 'application/json',
          ...init.headers,
        },
      });
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        const message =
          (body as { error?: { message?: string } } | null)?.error?.message ??
          (body as { message?: string } | null)?.message ??
          `generation API answered HTTP ${response.status}`;
        throw new GenerationApiError(message, response.status);
      }
      if (typeof body !== 'object' || body === null || typeof (body as { id?: unknown }).id !== 'string') {
        throw new GenerationApiError('generation API answered without a file id', response.status);
      }
      return body as GenerationFile;
    });

  return {
    configured: Boolean(config.url),
    // its own deadline (GENERATION_TIMEOUT_MS): starting a video may take longer than a read
    startVideo: (request) =>
      call(
        '/api/v1/file/generate-video',
        { method: 'POST', body: JSON.stringify(request) },
        config.timeoutMs,
      ),
    getFile: (id) => call(`/api/v1/file/${encodeURIComponent(id)}`),
    // Any HTTP answer below 500 means the service is up; a 404 for an unknown id is an answer.
    probe: () =>
      meter.measure('generation', timeoutMs, async (signal) => {
        if (!config.url) throw new GenerationApiError('GENERATION_API_URL is not configured', null);
        const response = await fetch(new URL('/api/v1/file/probe', config.url), {
          signal,
          headers: { authorization: `Bearer ${config.token ?? ''}` },
        });
        await response.body?.cancel();
        if (response.status >= 500) throw new GenerationApiError(`HTTP ${response.status}`, response.status);
      }),
  };
}
