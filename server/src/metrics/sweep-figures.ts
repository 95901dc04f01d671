import type { SourceDetail } from '@cache-doctor/shared';
import { type GenerationTally, generationSuccessRate } from '../domain/generation-success';
import { OWN_KEYS } from '../keys';
import type { Services } from '../services/container';
import { lastSessionSweepKey } from '../services/session-sweep';

/**
 * The figures that come from scheduled runs rather than from each sample (SPEC §5): the health
 * sweep's sync failure rate, and the session sweep's webhook, session lookup and generation
 * success rates. A run's result stands until it is too old — then it is no data, never the last
 * value forever.
 */

export interface Figure {
  value: number | null;
  source: SourceDetail;
}

/** What a finished health sweep leaves for the collector (key `metrics:last-sweep`). */
export interface HealthSweepSummary {
  jobId: string;
  /** ISO time the sweep finished */
  at: string;
  checked: number;
  outOfSync: number;
}

export const lastHealthSweepKey = (services: Pick<Services, 'keys'>) => services.keys.own(OWN_KEYS.lastSweep);

/** The default interval stands in when the schedule is off, so a manual sweep still ages out. */
const DEFAULT_SWEEP_EVERY_MS = 3_600_000;

function parse<T>(raw: string | null): Partial<T> | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null ? (value as Partial<T>) : null;
  } catch {
    return null;
  }
}

const timeOf = (iso: unknown) => (typeof iso === 'string' ? Date.parse(iso) : Number.NaN);
const ratio = (part: unknown, whole: unknown) =>
  typeof part === 'number' && typeof whole === 'number' && whole > 0 ? part / whole : null;

/** Out-of-sync users / users checked in the latest sweep; no data once older than two intervals. */
export async function syncFailureFigure(services: Services, now: number): Promise<Figure> {
  const sweep = parse<HealthSweepSummary>(await services.ownRedis.get(lastHealthSweepKey(services)));
  const at = timeOf(sweep?.at);
  const maxAgeMs = 2 * (services.config.sweepEveryMs || DEFAULT_SWEEP_EVERY_MS);
  if (!sweep || Number.isNaN(at)) return { value: null, source: { source: 'sweep' } };
  const fresh = now - at <= maxAgeMs;
  return {
    value: fresh ? ratio(sweep.outOfSync, sweep.checked) : null,
    source: { source: 'sweep', at },
  };
}

/** What the scheduled session sweep left (services/session-sweep.ts), when recent enough. */
export interface SessionSweepFigures {
  webhook: Figure | null;
  sessionLookup: Figure;
  generation: Figure;
}

interface StoredSessionSweep {
  at: string;
  ok: number;
  paid: number;
  paidWithPrompt: number;
  rate: number | null;
  generations: GenerationTally;
}

/**
 * From the latest scheduled session sweep while it is recent (three runs). `webhook` is null
 * without one, so the collector's Redis-only sample can stand in; the other two are no data.
 */
export async function sessionSweepFigures(services: Services, now: number): Promise<SessionSweepFigures> {
  const everyMs = services.config.sessionSweepEveryMs;
  const sweep = parse<StoredSessionSweep>(await services.ownRedis.get(lastSessionSweepKey(services)));
  const at = timeOf(sweep?.at);
  const recent = sweep !== null && everyMs > 0 && !Number.isNaN(at) && now - at <= 3 * everyMs;
  if (!recent) {
    return {
      webhook: null,
      sessionLookup: { value: null, source: { source: 'stripe' } },
      generation: { value: null, source: { source: 'generation' } },
    };
  }
  return {
    webhook: { value: typeof sweep.rate === 'number' ? sweep.rate : null, source: { source: 'stripe', at } },
    sessionLookup: { value: ratio(sweep.paidWithPrompt, sweep.paid), source: { source: 'stripe', at } },
    generation: {
      value: sweep.generations ? generationSuccessRate(sweep.generations) : null,
      source: { source: 'generation', at },
    },
  };
}

/** Kept by every finished health sweep, scheduled or asked for; the collector reads the latest. */
export async function recordHealthSweep(
  services: Pick<Services, 'ownRedis' | 'keys'>,
  summary: HealthSweepSummary,
): Promise<void> {
  await services.ownRedis.set(lastHealthSweepKey(services), JSON.stringify(summary));
}
