import { createHash } from 'node:crypto';

/**
 * Confirmed plans (SPEC §3): a preview's `planId` is a digest of what the write will do — the keys it
 * touches, the value each holds now and the value it will hold, plus anything else the apply sends
 * (the generation request). An apply carrying a `planId` plans again and goes ahead only when the
 * digest is the same, so what is written is exactly what the person confirmed.
 */
export interface PlanContent {
  /** what kind of write, e.g. `refresh`, `fix-session`, `undo`, `bulk-refresh` */
  action: string;
  target: string;
  writes: ReadonlyArray<{ key: string; before: string | null; after: string | null }>;
  /** what else the apply does that the person confirmed, e.g. the request Generate sends */
  extra?: unknown;
}

/**
 * Fields a write stamps with the moment it is applied. Their after-value is the clock, not a choice
 * the person made, so it is left out of the digest: a preview a minute old is still the same plan.
 * Before-values are digested exactly, so a record stamped by someone else meanwhile still differs.
 */
const STAMPED_FIELDS = ['updatedAt', 'timestamp'] as const;
const STAMP = '<time of writing>';

function withoutStamps(after: string | null): string | null {
  if (after === null || !after.startsWith('{')) return after;
  let value: unknown;
  try {
    value = JSON.parse(after);
  } catch {
    return after;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return after;
  const record = { ...(value as Record<string, unknown>) };
  for (const field of STAMPED_FIELDS) if (field in record) record[field] = STAMP;
  return JSON.stringify(record);
}

/** The plan's id: sha256 over a canonical form (writes in key order, stamps masked). */
export function planId(plan: PlanContent): string {
  const writes = [...plan.writes]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, before, after }) => [key, before, withoutStamps(after)]);
  const canonical = JSON.stringify([plan.action, plan.target, writes, plan.extra ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}
