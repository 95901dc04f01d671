import { GenerationApiError } from '../adapters/generation';
import { limitedCall, type RetryPolicy, UpstreamRateLimiter } from '../adapters/rate-limiter';
import { type GenerationLookup, generationFileFacts, startedFileId } from '../domain/generation-file';
import type { SessionSnapshot } from '../domain/session-snapshot';
import { OWN_KEYS } from '../keys';
import type { Services } from './container';

/**
 * What the generation API says about started generations (SPEC §6.4): read in batches through one
 * limiter shared by every process, each file asked at most once a minute — the answer (or why
 * there was none) is kept under Cache Doctor's own prefix for that long (a final one for 30 days),
 * so a list, a sweep and a page open at once ask once. Session pages, lists, the sweep and metrics all read through here.
 */

/** How long an answer about an unfinished (or unanswered) file is reused before asking again. */
export const FILE_CHECK_INTERVAL_MS = 60_000;
/**
 * A finished or failed file never changes again: its answer is kept as long as the session's
 * records live (30 days), so sweeps ask only about new and unfinished files.
 */
export const FINAL_STATE_KEPT_MS = 30 * 24 * 3600_000;
/** The generation API's share of calls: the limit every process's reads stay under together. */
export const GENERATION_READ_LIMIT = { requests: 50, windowMs: 1000 } as const;
/** Files asked about at once within one batch. */
const PARALLEL_READS = 16;

const keptFor = (lookup: GenerationLookup) =>
  lookup.kind === 'known' && lookup.file.state !== 'running' ? FINAL_STATE_KEPT_MS : FILE_CHECK_INTERVAL_MS;
/** Someone is usually waiting for the page: one quick retry, then say the API could not be asked. */
const READ_RETRY: RetryPolicy = { attempts: 2, baseDelayMs: 200, maxDelayMs: 500, budgetMs: 2_000 };

const limiters = new WeakMap<Services, UpstreamRateLimiter>();

function limiterOf(services: Services): UpstreamRateLimiter {
  let limiter = limiters.get(services);
  if (!limiter) {
    limiter = new UpstreamRateLimiter(
      services.ownRedis,
      services.keys.own(OWN_KEYS.generationRequestRate),
      GENERATION_READ_LIMIT,
    );
    limiters.set(services, limiter);
  }
  return limiter;
}

const cacheKey = (services: Services, fileId: string) =>
  services.keys.own(`${OWN_KEYS.generationFile}${fileId}`);

function parseCached(raw: string | null): GenerationLookup | null {
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as GenerationLookup;
  } catch {
    return null;
  }
}

async function askOne(services: Services, fileId: string): Promise<GenerationLookup> {
  const checkedAt = new Date().toISOString();
  try {
    const body = await limitedCall(
      limiterOf(services),
      () => services.generation.getFile(fileId),
      READ_RETRY,
    );
    return { kind: 'known', file: generationFileFacts(fileId, body, checkedAt) };
  } catch (error) {
    const reason =
      error instanceof GenerationApiError && error.status === 404
        ? `the generation API has no file ${fileId}`
        : `the generation API could not be asked (${error instanceof Error ? error.message : String(error)})`;
    return { kind: 'unavailable', fileId, reason, checkedAt };
  }
}

/**
 * The state of each file (deduplicated): answers younger than a minute from Cache Doctor's keys
 * (one MGET), the rest from the generation API, at most PARALLEL_READS at a time, then kept for a
 * minute (one pipeline). Never throws: a file nobody could ask about is `unavailable`, with why.
 */
export async function readGenerationFiles(
  services: Services,
  fileIds: readonly string[],
): Promise<Map<string, GenerationLookup>> {
  const unique = [...new Set(fileIds)];
  const found = new Map<string, GenerationLookup>();
  if (unique.length === 0) return found;
  if (!services.generation.configured) {
    const checkedAt = new Date().toISOString();
    for (const fileId of unique)
      found.set(fileId, {
        kind: 'unavailable',
        fileId,
        reason: 'no generation API is configured (GENERATION_API_URL), so it could not be asked',
        checkedAt,
      });
    return found;
  }
  const cached = await services.ownRedis.mget(unique.map((fileId) => cacheKey(services, fileId)));
  const missing: string[] = [];
  unique.forEach((fileId, index) => {
    const lookup = parseCached(cached[index] ?? null);
    if (lookup) found.set(fileId, lookup);
    else missing.push(fileId);
  });
  for (let start = 0; start < missing.length; start += PARALLEL_READS) {
    const batch = missing.slice(start, start + PARALLEL_READS);
    const answers = await Promise.all(batch.map((fileId) => askOne(services, fileId)));
    for (const lookup of answers) found.set(lookupFileId(lookup), lookup);
    await keepGenerationLookups(services, answers);
  }
  return found;
}

const lookupFileId = (lookup: GenerationLookup) =>
  lookup.kind === 'known' ? lookup.file.fileId : lookup.fileId;

/**
 * Keeps answers about files (one pipeline), each for as long as it holds: what the reads above
 * do with every answer, and what the bench uses to start where earlier sweeps left off.
 */
export async function keepGenerationLookups(
  services: Services,
  lookups: readonly GenerationLookup[],
): Promise<void> {
  const keep = services.ownRedis.pipeline();
  for (const lookup of lookups)
    keep.set(cacheKey(services, lookupFileId(lookup)), JSON.stringify(lookup), 'PX', keptFor(lookup));
  await keep.exec();
}

/** Forgets what was read about a file, so the next look asks the generation API again. */
export async function forgetGenerationFile(services: Services, fileId: string): Promise<void> {
  await services.ownRedis.del(cacheKey(services, fileId));
}

/** Each session's started file, read in one batch; sessions without one are absent from the map. */
export async function readSessionGenerations(
  services: Services,
  snapshots: readonly SessionSnapshot[],
): Promise<Map<string, GenerationLookup>> {
  const fileIds = new Map<string, string>();
  for (const snapshot of snapshots) {
    const fileId = startedFileId(snapshot, services.config.sessionLayout);
    if (fileId !== null) fileIds.set(snapshot.sessionId, fileId);
  }
  const files = await readGenerationFiles(services, [...fileIds.values()]);
  const bySession = new Map<string, GenerationLookup>();
  for (const [sessionId, fileId] of fileIds) {
    const lookup = files.get(fileId);
    if (lookup) bySession.set(sessionId, lookup);
  }
  return bySession;
}
