/** A point of a series as the API serves it (SPEC §6.4): `t` in ms. */
export interface Point {
  t: number;
  v: number;
}

/**
 * Averages points into equal time buckets so a series never has more than `maxPoints` points;
 * each bucket's point sits at the bucket's start. Empty buckets yield nothing (a gap in the data
 * stays a gap). Input must be sorted by time.
 */
export function downsample(points: Point[], from: number, to: number, maxPoints: number): Point[] {
  if (points.length <= maxPoints) return points;
  const size = Math.ceil((to - from + 1) / maxPoints);
  const out: Point[] = [];
  let bucket = Number.NaN;
  let sum = 0;
  let count = 0;
  const flush = () => {
    if (count > 0) out.push({ t: bucket, v: sum / count });
  };
  for (const point of points) {
    const start = from + Math.floor((point.t - from) / size) * size;
    if (start !== bucket) {
      flush();
      bucket = start;
      sum = 0;
      count = 0;
    }
    sum += point.v;
    count += 1;
  }
  flush();
  return out;
}
