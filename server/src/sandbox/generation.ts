import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { GenerationFileWire } from './dataset';
import { bearerToken, type ErrorStyle } from './upstream';

/**
 * The generation API (SPEC §6.4): start a video for a paid session, read a file's state. Every
 * generate call is recorded, so a test can assert that exactly one reached the API.
 */

export const generateVideoSchema = z.object({
  config: z.object({
    prompt: z.string().min(1),
    negative_prompt: z.string(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    aspect_ratio: z.string(),
    duration: z.number().positive(),
    seed: z.number().int(),
    generation_config_name: z.string(),
    frame_rate: z.number().positive(),
    batch_size: z.number().int().positive(),
    references: z.array(z.unknown()),
  }),
});
export type GenerateVideoRequest = z.infer<typeof generateVideoSchema>;

export type GenerationStatus = 'queued' | 'processing' | 'completed' | 'failed';

export interface GenerationFile extends GenerationFileWire {
  /** what the start sent; absent for files a dataset brought along */
  config: GenerateVideoRequest['config'] | null;
}

/** One `POST /api/v1/file/generate-video` as it arrived, whatever it was answered. */
export interface GenerationCall {
  at: number;
  status: number;
  body: unknown;
  fileId: string | null;
}

export class GenerationStore {
  readonly files = new Map<string, GenerationFile>();
  readonly calls: GenerationCall[] = [];

  create(config: GenerateVideoRequest['config'], now = new Date()): GenerationFile {
    const at = now.toISOString();
    const file: GenerationFile = {
      id: `file_${randomUUID().replaceAll('-', '')}`,
      status: 'queued',
      created_at: at,
      updated_at: at,
      config,
      url: null,
      error: null,
    };
    this.files.set(file.id, file);
    return file;
  }

  /** Moves a file on (tests drive progress explicitly rather than by time). */
  setStatus(
    id: string,
    status: GenerationStatus,
    fields: Partial<Pick<GenerationFile, 'url' | 'error'>> = {},
  ) {
    const file = this.files.get(id);
    if (!file) return undefined;
    const next = { ...file, ...fields, status, updated_at: new Date().toISOString() };
    this.files.set(id, next);
    return next;
  }

  /** successful generate calls: the ones that started work */
  get started(): GenerationCall[] {
    return this.calls.filter((call) => call.fileId !== null);
  }

  private loaded: readonly GenerationFileWire[] = [];

  /** Files that exist before any start (a dataset's sessions already processing); reset keeps them. */
  load(files: readonly GenerationFileWire[]): void {
    this.loaded = files;
    for (const file of files) this.files.set(file.id, { ...file, config: null });
  }

  reset(): void {
    this.files.clear();
    this.calls.length = 0;
    for (const file of this.loaded) this.files.set(file.id, { ...file, config: null });
  }
}

function generationError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  headers?: Record<string, string>,
) {
  return c.json({ error: { code, message } }, status, headers);
}

export const generationErrors: ErrorStyle = {
  rateLimited: (c, retryAfterSeconds) =>
    generationError(c, 429, 'rate_limited', 'Too many requests', {
      'Retry-After': String(retryAfterSeconds),
    }),
  serverError: (c, status) =>
    generationError(
      c,
      status as ContentfulStatusCode,
      'internal_error',
      'Generation service failed (sandbox fault)',
    ),
  notFound: (c) => generationError(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}`),
};

export function createGenerationRoutes({ store, token }: { store: GenerationStore; token: string }): Hono {
  return new Hono()
    .post('/api/v1/file/generate-video', async (c) => {
      const body: unknown = await c.req.json().catch(() => undefined);
      const record = (status: number, fileId: string | null = null) =>
        store.calls.push({ at: Date.now(), status, body, fileId });
      if (bearerToken(c) !== token) {
        record(401);
        return generationError(c, 401, 'unauthorized', 'Invalid or missing bearer token');
      }
      const parsed = generateVideoSchema.safeParse(body);
      if (!parsed.success) {
        record(400);
        return generationError(c, 400, 'invalid_request', z.prettifyError(parsed.error));
      }
      const file = store.create(parsed.data.config);
      record(200, file.id);
      return c.json(file);
    })
    .get('/api/v1/file/:id', (c) => {
      if (bearerToken(c) !== token)
        return generationError(c, 401, 'unauthorized', 'Invalid or missing bearer token');
      const file = store.files.get(c.req.param('id'));
      return file ? c.json(file) : generationError(c, 404, 'not_found', `No file ${c.req.param('id')}`);
    });
}
