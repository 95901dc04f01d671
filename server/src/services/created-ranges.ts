/**
 * Stripe lists are read one page after another (each cursor comes from the page before), so a
 * long list is read in parallel by cutting it into `created` ranges, each range a list of its own
 * (`created[gte]`, `created[lt]`). The ranges tile from `floor` up to the newest item: every item
 * falls in exactly one (an item at a boundary second belongs to the range that starts there).
 * Used for the user sweep's customers and the session sweep's completed checkout sessions.
 */

/** `created` in unix seconds, `gte` ≤ created < `lt`; no `lt` reads to the newest. */
export interface CreatedRange {
  gte: number;
  lt?: number;
}

/** What the split asks the list (a page of one item each). */
export interface CreatedProbe {
  /** the newest item's `created`, or null when the list is empty */
  newest(): Promise<number | null>;
  /** true when the list has an item created before `before` (unix seconds) */
  anyBefore(before: number): Promise<boolean>;
}

/** Ranges a list is cut into: enough to keep the rate limit busy, not so many that each is a page. */
export const CREATED_RANGES = 16;

const WEEK_SECONDS = 7 * 86_400;
const FORTY_YEARS_SECONDS = 40 * 365 * 86_400;
/** Halving steps after the doubling ones: the oldest item is located to within 1/16 of the span. */
const BISECTIONS = 3;

/**
 * `parts` ranges of equal width over the list: the newest item bounds them above; doubling, then
 * halving, steps find roughly where the oldest one is (a few one-item pages). The first range is
 * open down to `floor` (anything older than the estimate still gets read); none when the list is
 * empty.
 */
export async function splitByCreated(
  probe: CreatedProbe,
  parts = CREATED_RANGES,
  floor = 0,
): Promise<Array<Required<CreatedRange>>> {
  const newest = await probe.newest();
  if (newest === null) return [];
  const top = newest + 1;
  let span = WEEK_SECONDS;
  while (span < FORTY_YEARS_SECONDS && top - span > floor && (await probe.anyBefore(top - span))) span *= 2;
  let lowSpan = span / 2;
  for (let step = 0; step < BISECTIONS; step += 1) {
    const middle = (lowSpan + span) / 2;
    if (top - middle > floor && (await probe.anyBefore(top - middle))) lowSpan = middle;
    else span = middle;
  }
  const bottom = Math.max(floor, Math.floor(top - span));
  const width = Math.max(1, Math.ceil((top - bottom) / parts));
  const count = Math.min(parts, Math.ceil((top - bottom) / width));
  return Array.from({ length: count }, (_, index) => ({
    gte: index === 0 ? floor : bottom + index * width,
    lt: index === count - 1 ? top : bottom + (index + 1) * width,
  }));
}
