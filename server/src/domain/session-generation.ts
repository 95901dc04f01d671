import type { SessionLayout } from '@cache-doctor/shared';
import { type KeyIssue, readSession, type SessionRecord } from './session-record';
import type { JsonObject, SessionSnapshot } from './session-snapshot';

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
 * Used where the session does not say (three-key records hold only the prompt): the app's
 * smallest paid option — one 5-second 720p landscape video at 24 frames per second with the
 * text-to-video configuration.
 */
export const GENERATION_DEFAULTS = {
  width: 1280,
  height: 720,
  aspectRatio: '16:9',
  durationSeconds: 5,
  frameRate: 24,
  batchSize: 1,
  configName: 'text-to-video',
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

const STANDARD_ASPECT_RATIOS = ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16'] as const;

/** The nearest standard ratio, since odd sizes (854x480) do not reduce to a name the API knows. */
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

/** The first of the records that holds the field (in either spelling the app may use). */
function pick(records: (JsonObject | null)[], ...names: string[]): unknown {
  for (const record of records) {
    for (const name of names) if (record?.[name] !== undefined) return record[name];
  }
  return undefined;
}

const positiveInteger = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;

const nonEmptyText = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value : null;

/**
 * The API has no style field; the style the user picked is what they paid for, so it is added to
 * the prompt as a last sentence rather than dropped.
 */
function promptWithStyle(prompt: string, style: unknown): string {
  const name = nonEmptyText(style);
  return name ? `${prompt}\n\nStyle: ${name}.` : prompt;
}

function buildRequest(record: SessionRecord, prompt: string, sessionId: string): GenerationRequest {
  // The prompt's record first; the three-key layout keeps toolSlug in `webhook:`.
  const records = [record.promptRecord, record.statusRecord];
  const dimensions = parseResolution(pick(records, 'resolution')) ?? GENERATION_DEFAULTS;
  const seed = pick(records, 'seed');
  const references = pick(records, 'references');
  return {
    config: {
      prompt: promptWithStyle(prompt, pick(records, 'style')),
      negative_prompt: nonEmptyText(pick(records, 'negativePrompt', 'negative_prompt')) ?? '',
      width: dimensions.width,
      height: dimensions.height,
      aspect_ratio: aspectRatioOf(dimensions),
      duration: parseDurationSeconds(pick(records, 'duration')) ?? GENERATION_DEFAULTS.durationSeconds,
      seed: typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 ? seed : seedFor(sessionId),
      generation_config_name:
        nonEmptyText(pick(records, 'generationConfigName', 'generation_config_name', 'toolSlug')) ??
        GENERATION_DEFAULTS.configName,
      frame_rate: positiveInteger(pick(records, 'frameRate', 'frame_rate')) ?? GENERATION_DEFAULTS.frameRate,
      batch_size: positiveInteger(pick(records, 'videoCount', 'batchSize')) ?? GENERATION_DEFAULTS.batchSize,
      references: Array.isArray(references) ? references : [],
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
): GenerationRequestPlan {
  const record = readSession(snapshot, layout);
  if (record.issues.length > 0) return { kind: 'malformed', issues: record.issues };
  if (record.prompt === null) return { kind: 'no-prompt' };
  return { kind: 'request', request: buildRequest(record, record.prompt, snapshot.sessionId) };
}
