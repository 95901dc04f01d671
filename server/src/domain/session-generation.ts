import type { SessionLayout } from '@cache-doctor/shared';
import { type KeyIssue, readSession, type SessionRecord } from './session-record';
import type { SessionSnapshot } from './session-snapshot';

/** The generation API's request body (SPEC §6.4). */
export interface GenerationRequest {
  config: {
    prompt: string;
    negative_prompt: string;
    width: number;
    height: number;
    aspect_ratio: string;
    duration: number;
    seed: number;
    generation_config_name: string;
    frame_rate: number;
    batch_size: number;
    references: unknown[];
  };
}

export type GenerationRequestPlan =
  | { kind: 'request'; request: GenerationRequest }
  | { kind: 'no-prompt' }
  | { kind: 'malformed'; issues: KeyIssue[] };

/**
 * What the app's own webhook sends where the session does not say (SPEC §6.4): a 1280×720
 * landscape video of 8 seconds at 30 frames per second, one per request, no references.
 */
export const GENERATION_DEFAULTS = {
  width: 1280,
  height: 720,
  durationSeconds: 8,
  frameRate: 30,
  batchSize: 1,
} as const;

interface Dimensions {
  width: number;
  height: number;
}

/** Named sizes are landscape 16:9, as the app's resolution picker offers them. */
const NAMED_RESOLUTIONS: Record<string, Dimensions> = {
  '480p': { width: 854, height: 480 },
  '720p': { width: 1280, height: 720 },
  '1080p': { width: 1920, height: 1080 },
  '1440p': { width: 2560, height: 1440 },
  '2160p': { width: 3840, height: 2160 },
  '4k': { width: 3840, height: 2160 },
};

/** "1280x720", "720 × 1280", "720p", "4K"; anything else is not a resolution we can honour. */
export function parseResolution(resolution: unknown): Dimensions | null {
  if (typeof resolution !== 'string') return null;
  const normalized = resolution.trim().toLowerCase();
  const named = NAMED_RESOLUTIONS[normalized];
  if (named) return named;
  const match = /^(\d{2,5})\s*[x×*]\s*(\d{2,5})$/.exec(normalized);
  if (!match) return null;
  return { width: Number(match[1]), height: Number(match[2]) };
}

const STANDARD_ASPECT_RATIOS = ['16:9', '1:1', '9:16'] as const;

/** The nearest of the ratios the app sends, since odd sizes (854x480) do not reduce to one. */
export function aspectRatioOf({ width, height }: Dimensions): string {
  const ratio = width / height;
  const distance = (name: string) => {
    const [w, h] = name.split(':').map(Number) as [number, number];
    return Math.abs(Math.log(ratio / (w / h)));
  };
  return STANDARD_ASPECT_RATIOS.reduce((best, name) => (distance(name) < distance(best) ? name : best));
}

/** 5, "5", "5s", "10 seconds" → seconds; anything else, zero or negative → null. */
export function parseDurationSeconds(duration: unknown): number | null {
  const seconds =
    typeof duration === 'number'
      ? duration
      : typeof duration === 'string'
        ? Number.parseFloat(duration)
        : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

/**
 * A seed derived from the session id (FNV-1a): a retried generation of the same session asks for
 * the same video, and the plan stays a pure function.
 */
export function seedFor(sessionId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < sessionId.length; index++) {
    hash ^= sessionId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 2 ** 31;
}

/**
 * Exactly what the app's webhook sends (SPEC §6.4): the stored prompt verbatim (nothing added —
 * style and the other stored fields are not sent), the stored resolution and duration, the
 * configured generation config and the app's defaults for the rest.
 */
function buildRequest(
  record: SessionRecord,
  prompt: string,
  sessionId: string,
  configName: string,
): GenerationRequest {
  const stored = record.promptRecord;
  const dimensions = parseResolution(stored?.resolution) ?? GENERATION_DEFAULTS;
  return {
    config: {
      prompt,
      negative_prompt: '',
      width: dimensions.width,
      height: dimensions.height,
      aspect_ratio: aspectRatioOf(dimensions),
      duration: parseDurationSeconds(stored?.duration) ?? GENERATION_DEFAULTS.durationSeconds,
      seed: seedFor(sessionId),
      generation_config_name: configName,
      frame_rate: GENERATION_DEFAULTS.frameRate,
      batch_size: GENERATION_DEFAULTS.batchSize,
      references: [],
    },
  };
}

/**
 * The generation API body for the video the user paid for, from the session's own data. The
 * caller checks the diagnosis offers 'generate' (paid, nothing running).
 */
export function planGenerationRequest(
  snapshot: SessionSnapshot,
  layout: SessionLayout,
  /** GENERATION_CONFIG_NAME */
  configName: string,
): GenerationRequestPlan {
  const record = readSession(snapshot, layout);
  if (record.issues.length > 0) return { kind: 'malformed', issues: record.issues };
  if (record.prompt === null) return { kind: 'no-prompt' };
  return { kind: 'request', request: buildRequest(record, record.prompt, snapshot.sessionId, configName) };
}
