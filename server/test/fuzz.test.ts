import { createJobSchema } from '@cache-doctor/shared';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAMS } from '../src/sandbox';
import { type Harness, STAFF, startHarness } from './harness';

/**
 * Issue 7: every API route, enumerated from the app itself so a new route is fuzzed too, gets
 * 1,000 requests with invalid path parameters, query strings and bodies. Each must be refused
 * with a 4xx JSON error — never a 5xx — and Redis must hold exactly what it held before.
 */

const RUNS = 1000;

/**
 * Routes that read no input at all: any query is ignored, so they may answer 200. Fuzzing them
 * checks only that junk queries and headers break nothing, and each call does real work (probing
 * every upstream, scanning every prompt), so they get a tenth of the runs.
 */
const INPUTLESS = new Set([
  'GET /api/status',
  'GET /api/me',
  'GET /api/stats',
  'GET /api/jobs',
  'GET /api/dashboards',
  'GET /api/policies',
]);
const INPUTLESS_RUNS = RUNS / 10;
/** Mutations whose only input is an empty body: an empty one is valid, so every fuzzed body has content. */
const BODY_ONLY = new Set(['POST /api/policies/pause', 'POST /api/policies/resume']);

/** Every id format the API accepts (SPEC §6, audit and job ids); a fuzzed id must match none. */
const VALID_ID = [
  /^user_[A-Za-z0-9]+$/,
  /^cus_[A-Za-z0-9]+$/,
  /^cs_(test|live)_[A-Za-z0-9]+$/,
  /^[0-9a-z]{10,40}$/,
];

const anyText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('..', '.', '%', '%00', '/', '?', '#', 'null', 'undefined', '__proto__', '*', 'user_*'),
);

/** A character no id, cursor, range, problem code, number or date contains. */
const withForbiddenChar = fc
  .tuple(anyText, fc.constantFrom('!', ' ', '/', '%', 'é', '\u0000', '"', '<', '{', '*'), anyText)
  .map((parts) => parts.join(''));

const invalidId = anyText.filter((text) => !VALID_ID.some((pattern) => pattern.test(text)));

/** Invalid values for the query parameters the API knows; unknown names get arbitrary text. */
const INVALID_QUERY: Record<string, fc.Arbitrary<string>> = {
  // the route trims `q` before measuring it, so a long value must be long without its edges
  q: fc.oneof(
    fc.constantFrom('', '   ', '\t\n'),
    fc.string({ minLength: 256, maxLength: 600 }).filter((text) => text.trim().length > 255),
  ),
  limit: fc.oneof(
    fc.constantFrom('0', '-1', '1.5', 'NaN', 'Infinity', '1e9', 'ten', '', ' ', '0x10'),
    fc.integer({ min: 100_001 }).map(String),
    withForbiddenChar,
  ),
  cursor: withForbiddenChar,
  userId: invalidId,
  range: anyText.filter((text) => !['1h', '24h', '7d'].includes(text)),
  problem: withForbiddenChar,
  since: withForbiddenChar,
  actor: fc.string({ minLength: 201, maxLength: 400 }),
  target: fc.string({ minLength: 301, maxLength: 500 }),
};

const query = fc
  .tuple(
    fc.record(INVALID_QUERY),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), anyText, { maxKeys: 3 }),
  )
  .map(([known, extra]) => new URLSearchParams({ ...extra, ...known }).toString());

/** Bodies no route accepts: malformed JSON, wrong types, unknown fields, other content types. */
const body = fc.oneof(
  fc
    .jsonValue()
    .filter((value) => !createJobSchema.safeParse(value).success)
    .map((value) => ({ contentType: 'application/json', text: JSON.stringify(value) })),
  fc.record({ contentType: fc.constant('application/json'), text: fc.string({ unit: 'binary' }) }),
  fc.record({
    contentType: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ),
    text: anyText,
  }),
  fc.constant(null),
);

/** Header values are bytes on the wire: printable ASCII is all a client can send. */
const authorization = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...Object.values(STAFF).map((staff) => `Bearer ${staff.token}`)) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 80 }).map((text) => `Bearer ${text}`),
    ),
  },
);

/** A path parameter put into a URL; a fuzzed string may not even be encodable. */
const encodeSegment = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%FF';
  }
};

describe('fuzzing every route (real redis-server + sandbox)', () => {
  let harness: Harness;
  let routes: Array<{ method: string; path: string }>;

  beforeAll(async () => {
    harness = await startHarness({ users: 50, env: { MUTATION_RATE_PER_MIN: '1000000' } });
    const seen = new Set<string>();
    routes = harness.app.routes
      .filter((route) => route.path.startsWith('/api/') && route.method !== 'ALL')
      .filter((route) => {
        const key = `${route.method} ${route.path}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .map(({ method, path }) => ({ method, path }));
  });
  afterAll(async () => {
    await harness.close();
  });

  it('finds the routes it fuzzes in the app', () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(['POST /api/users/:userId/refresh', 'POST /api/jobs', 'DELETE /api/jobs/:id']),
    );
  });

  it('answers 1,000 invalid requests per route with 4xx JSON errors, never 5xx, writing nothing', async () => {
    const upstreamCalls = () =>
      UPSTREAMS.reduce((sum, upstream) => sum + harness.sandbox.counters[upstream].snapshot().requests, 0);
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const params = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
      const before = await harness.snapshot();
      const callsBefore = upstreamCalls();
      await fc.assert(
        fc.asyncProperty(
          fc.array(invalidId, { minLength: params.length, maxLength: params.length }),
          query,
          route.method === 'GET'
            ? fc.constant(null)
            : BODY_ONLY.has(name)
              ? body.filter((sent) => sent !== null && sent.text.trim() !== '' && sent.text !== '{}')
              : body,
          authorization,
          async (ids, search, sent, auth) => {
            let path = route.path;
            params.forEach((param, index) => {
              path = path.replace(`:${param}`, encodeSegment(ids[index] as string));
            });
            const headers: Record<string, string> = {};
            if (auth !== undefined) headers.authorization = auth;
            if (sent) headers['content-type'] = sent.contentType;
            const response = await harness.app.request(`${path}?${search}`, {
              method: route.method,
              headers,
              ...(sent && { body: sent.text }),
            });
            const text = await response.text();
            if (response.status >= 500) throw new Error(`${name} answered ${response.status}: ${text}`);
            if (INPUTLESS.has(name) && response.status < 300) return;
            expect(response.status, `${name} ${path}?${search}`).toBeGreaterThanOrEqual(400);
            expect(JSON.parse(text)).toEqual({
              error: { code: expect.any(String), message: expect.any(String) },
            });
          },
        ),
        { numRuns: INPUTLESS.has(name) ? INPUTLESS_RUNS : RUNS },
      );
      expect(await harness.snapshot(), name).toEqual(before);
      // Ids are checked before any I/O: an invalid one never reaches Stripe, Clerk or the generation API.
      if (params.length > 0) expect(upstreamCalls(), name).toBe(callsBefore);
    }
  }, 300_000);
});
