import { z } from 'zod';

/**
 * Where each figure comes from (SPEC §5, §6.4 `sources`), and the words a chart and an alert say
 * about it. The server decides the source per sample; the page and the alert text describe it with
 * the same function, so "estimated from 200 sampled users" reads the same everywhere.
 */
export const METRIC_SOURCES = ['app', 'probe', 'sweep', 'doctor', 'stripe', 'generation', 'redis'] as const;
export const metricSourceSchema = z.enum(METRIC_SOURCES);
export type MetricSource = z.infer<typeof metricSourceSchema>;

/** A source with what its words need: how many users the probe read, when a sweep ran. */
export const sourceDetailSchema = z.object({
  source: metricSourceSchema,
  /** probe: users whose two-step lookup was read in the sample */
  sampled: z.number().int().nonnegative().optional(),
  /** sweep, stripe, generation: when the run the figure comes from finished (ms) */
  at: z.number().optional(),
  /** redis memory: measured against maxmemory, the machine's memory, or Redis samples of sessions */
  of: z.enum(['maxmemory', 'system', 'sessions']).optional(),
});
export type SourceDetail = z.infer<typeof sourceDetailSchema>;

/** "14 min ago", "2 h ago", "just now" */
export function ageInWords(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
}

const ago = (at: number | undefined, now: number) => (at === undefined ? '' : `, ${ageInWords(now - at)}`);

/** The source in words, as the chart and the alert text say it. */
export function describeSource(detail: SourceDetail, now: number): string {
  switch (detail.source) {
    case 'app':
      return 'reported by the app';
    case 'probe':
      return `estimated from ${detail.sampled ?? 0} sampled users`;
    case 'doctor':
      return "Cache Doctor's own calls";
    case 'sweep':
      return `latest sweep${ago(detail.at, now)}`;
    case 'stripe':
      return `latest session sweep against Stripe${ago(detail.at, now)}`;
    case 'generation':
      return `generation API states, latest check${ago(detail.at, now)}`;
    case 'redis':
      if (detail.of === 'system') return "Redis INFO, against the machine's memory (no maxmemory set)";
      if (detail.of === 'sessions') return 'sampled from Redis session records (payment not checked)';
      return 'Redis INFO, against maxmemory';
  }
}
