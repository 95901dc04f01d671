import { z } from 'zod';

/**
 * Stripe-style bracketed parameters (`metadata[userId]=u1`, `expand[0]=subscriptions`,
 * `expand[]=x`, `created[gte]=1700000000`) into nested values, as Stripe reads both query
 * strings and form bodies. Objects whose keys are all indices become arrays.
 */
export function parseBracketed(params: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [rawKey, value] of params) {
    const match = rawKey.match(/^([^[\]]+)((?:\[[^[\]]*\])*)$/);
    if (!match) continue;
    const path = [
      match[1] as string,
      ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string),
    ];
    let node: Record<string, unknown> = root;
    path.forEach((segment, index) => {
      // `a[]` appends: give it the next free index.
      const key = segment === '' ? String(Object.keys(node).length) : segment;
      if (index === path.length - 1) {
        node[key] = value;
        return;
      }
      const child = node[key];
      if (typeof child !== 'object' || child === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    });
  }
  return arraysFromIndexedObjects(root) as Record<string, unknown>;
}

function arraysFromIndexedObjects(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([k, v]) => [k, arraysFromIndexedObjects(v)] as const);
  if (entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k))) {
    return entries.toSorted(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  }
  return Object.fromEntries(entries);
}

/** Query parameters with repeated keys as arrays (Clerk's `email_address=a&email_address=b`). */
export function parseRepeated(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return out;
}

/** An integer sent as a string, within bounds. */
export const intParam = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** `created=123` or `created[gte]=123&created[lt]=456`, as Stripe takes it. */
export const createdParam = z.union([
  intParam(0).transform((n) => ({ gte: n, lte: n })),
  z.strictObject({
    gt: intParam(0).optional(),
    gte: intParam(0).optional(),
    lt: intParam(0).optional(),
    lte: intParam(0).optional(),
  }),
]);

/**
 * One value or several: Stripe's `expand[]` / `expand[0]` / `expand`, and Clerk's repeated keys
 * (`?user_id=a&user_id=b`; a single one arrives as a plain key).
 */
export const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]));
