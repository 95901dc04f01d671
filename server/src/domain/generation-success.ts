import type { GenerationLookup } from './generation-file';

/**
 * Generation success rate (SPEC §5): of the generations started in the window, those the
 * generation API reports completed / those completed, failed or stuck (unfinished for longer than
 * GENERATION_STUCK_AFTER_MS). One still running within that time is not decided yet, and a file the
 * API could not be asked about counts in neither part: the figure says only what the API said.
 */
export interface GenerationTally {
  completed: number;
  failed: number;
  stuck: number;
  running: number;
  /** files the generation API could not be asked about */
  unknown: number;
}

export interface StartedGeneration {
  fileId: string;
  /** when the generation started, ms: the provider's `created_at`, else the checkout's time */
  startedAt: number;
}

export function tallyGenerations(
  started: readonly StartedGeneration[],
  lookups: ReadonlyMap<string, GenerationLookup>,
  rules: { now: number; stuckAfterMs: number },
): GenerationTally {
  const tally: GenerationTally = { completed: 0, failed: 0, stuck: 0, running: 0, unknown: 0 };
  for (const generation of started) {
    const lookup = lookups.get(generation.fileId);
    if (lookup?.kind !== 'known') {
      tally.unknown += 1;
      continue;
    }
    const { state, createdAt } = lookup.file;
    if (state !== 'running') {
      tally[state] += 1;
      continue;
    }
    const since = createdAt ? Date.parse(createdAt) : Number.NaN;
    const startedAt = Number.isNaN(since) ? generation.startedAt : since;
    if (rules.now - startedAt > rules.stuckAfterMs) tally.stuck += 1;
    else tally.running += 1;
  }
  return tally;
}

export const generationSuccessRate = (tally: GenerationTally): number | null => {
  const decided = tally.completed + tally.failed + tally.stuck;
  return decided > 0 ? tally.completed / decided : null;
};
