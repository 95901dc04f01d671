import { randomBytes } from 'node:crypto';
import type { UserJSON } from '@clerk/backend';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { type SigningKey, signSessionToken } from './clerk-sessions';
import { type ClerkStore, primaryEmailOf, UnknownEmailAddressError } from './clerk-store';
import { type CreatedRange, isMissingCursor, type OrderedIndex } from './ordered-index';
import { intParam, parseRepeated, stringList } from './params';
import { bearerToken, type ErrorStyle } from './upstream';

/**
 * The part of Clerk's Backend API (version 2026-05-12) that Cache Doctor uses. Lists are bare JSON
 * arrays, counts `{ object: 'total_count', total_count }`, errors `{ errors: [...], clerk_trace_id }`;
 * `c.json()` sends `content-type: application/json` exactly, which the SDK requires to parse JSON.
 */

interface ClerkErrorItem {
  code: string;
  message: string;
  long_message: string;
  meta?: Record<string, unknown>;
}

function clerkError(
  c: Context,
  status: ContentfulStatusCode,
  error: ClerkErrorItem,
  headers?: Record<string, string>,
) {
  return c.json({ errors: [error], clerk_trace_id: randomBytes(16).toString('hex') }, status, headers);
}

export const clerkErrors: ErrorStyle = {
  rateLimited: (c, retryAfterSeconds) =>
    clerkError(
      c,
      429,
      {
        code: 'too_many_requests',
        message: 'Too Many Requests',
        long_message: 'Too many requests, retry later',
      },
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  serverError: (c, status) =>
    clerkError(c, status as ContentfulStatusCode, {
      code: 'internal_clerk_error',
      message: 'Oops, an unexpected error occurred',
      long_message: 'There was an internal error on our servers. (sandbox fault)',
    }),
  notFound: (c) =>
    clerkError(c, 404, {
      code: 'resource_not_found',
      message: 'not found',
      long_message: `No route for ${c.req.method} ${c.req.path}; the sandbox implements only what Cache Doctor uses.`,
    }),
};

const userNotFound = (c: Context) =>
  clerkError(c, 404, {
    code: 'resource_not_found',
    message: 'not found',
    long_message: 'Resource not found',
  });

const invalidParam = (c: Context, param: string, longMessage: string) =>
  clerkError(c, 422, {
    code: 'form_param_value_invalid',
    message: 'is invalid',
    long_message: longMessage,
    meta: { param_name: param },
  });

/** The filters `GET /v1/users` and `GET /v1/users/count` share. */
const filterParams = {
  email_address: stringList.optional(),
  user_id: stringList.optional(),
  query: z.string().optional(),
  email_address_query: z.string().optional(),
  name_query: z.string().optional(),
  created_at_before: intParam(0).optional(),
  created_at_after: intParam(0).optional(),
};
const filterSchema = z.object(filterParams);
const listSchema = z.object({
  ...filterParams,
  limit: intParam(1, 500).optional(),
  offset: intParam(0).optional(),
  order_by: z.string().optional(),
  starting_after: z.string().optional(),
});

const ORDER_FIELDS = [
  'created_at',
  'updated_at',
  'email_address',
  'web3wallet',
  'first_name',
  'last_name',
  'phone_number',
  'username',
  'last_active_at',
  'last_sign_in_at',
] as const;
type OrderField = (typeof ORDER_FIELDS)[number];

function sortValue(user: UserJSON, field: OrderField): string | number | null {
  switch (field) {
    case 'email_address':
      return primaryEmailOf(user);
    case 'phone_number':
      return user.phone_numbers[0]?.phone_number ?? null;
    case 'web3wallet':
      return user.web3_wallets[0]?.web3_wallet ?? null;
    default:
      return user[field];
  }
}

/** Substring matching, case-insensitive, over what Clerk's `query` searches. */
function matchesQuery(user: UserJSON, needle: string): boolean {
  const haystacks = [
    user.id,
    user.first_name,
    user.last_name,
    [user.first_name, user.last_name].filter(Boolean).join(' '),
    user.username,
    ...user.email_addresses.map((e) => e.email_address),
    ...user.phone_numbers.map((p) => p.phone_number),
  ];
  return haystacks.some((h) => h?.toLowerCase().includes(needle));
}

interface Selection {
  source: OrderedIndex<UserJSON>;
  filter: ((user: UserJSON) => boolean) | undefined;
  range: CreatedRange | undefined;
}

/**
 * Narrows by the indexed filters first (ids, exact emails), then checks the rest per user, so
 * an email lookup among 100,000 users touches one or two of them.
 */
function select(store: ClerkStore, params: z.output<typeof filterSchema>): Selection {
  let source = store.users;
  const checks: ((user: UserJSON) => boolean)[] = [];

  if (params.user_id) {
    // `-id` excludes, `+id` or a bare id includes.
    const excluded = new Set(params.user_id.filter((id) => id.startsWith('-')).map((id) => id.slice(1)));
    const included = params.user_id.filter((id) => !id.startsWith('-')).map((id) => id.replace(/^\+/, ''));
    if (included.length > 0) source = source.subset(included);
    if (excluded.size > 0) checks.push((u) => !excluded.has(u.id));
  }
  if (params.email_address) {
    const ids = new Set(params.email_address.flatMap((email) => [...store.userIdsWithEmail(email)]));
    if (source === store.users) source = source.subset(ids);
    else checks.push((u) => ids.has(u.id));
  }
  if (params.query) {
    const needle = params.query.toLowerCase();
    checks.push((u) => matchesQuery(u, needle));
  }
  if (params.email_address_query) {
    const needle = params.email_address_query.toLowerCase();
    checks.push((u) => u.email_addresses.some((e) => e.email_address.toLowerCase().includes(needle)));
  }
  if (params.name_query) {
    const needle = params.name_query.toLowerCase();
    checks.push((u) => [u.first_name, u.last_name].some((n) => n?.toLowerCase().includes(needle)));
  }
  const range =
    params.created_at_after !== undefined || params.created_at_before !== undefined
      ? { gt: params.created_at_after, lt: params.created_at_before }
      : undefined;
  const filter = checks.length > 0 ? (u: UserJSON) => checks.every((check) => check(u)) : undefined;
  return { source, filter, range };
}

export interface ClerkRoutesOptions {
  store: ClerkStore;
  /** when set, only this key is accepted; otherwise any `sk_test_`/`sk_live_` key */
  secretKey?: string | undefined;
  /** signs session tokens; its public half is `GET /v1/jwks` */
  signingKey: SigningKey;
  /** the `iss` of the tokens it signs: the sandbox's own URL, known once it listens */
  issuer(): string;
}

/**
 * How long a token from the hosted sign-in page lives. Longer than Clerk's 60 s because the
 * dashboard has no clerk-js to refresh it; the page stands in for a long-lived JWT template.
 */
export const HOSTED_SIGN_IN_TOKEN_SECONDS = 60 * 60;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Only an absolute http(s) URL may receive a token; anything else is refused, not guessed at. */
function redirectTarget(raw: string | undefined): URL | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

const staffRole = (user: UserJSON) => {
  const role = user.public_metadata.cacheDoctorRole;
  return typeof role === 'string' ? role : null;
};

function signInPage(users: UserJSON[], redirectUrl: string): string {
  const choices = users
    .map((user) => {
      const name =
        [user.first_name, user.last_name].filter(Boolean).join(' ') || primaryEmailOf(user) || user.id;
      return `<li><form method="post"><input type="hidden" name="redirect_url" value="${escapeHtml(redirectUrl)}"><input type="hidden" name="user_id" value="${escapeHtml(user.id)}"><button type="submit">Continue as ${escapeHtml(name)} (${escapeHtml(staffRole(user) ?? '')})</button></form></li>`;
    })
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · Clerk sandbox</title></head><body><main><h1>Sign in</h1><p>Clerk sandbox: choose a staff account. Stands in for Clerk's Account Portal.</p><ul>${choices}</ul></main></body></html>`;
}

/**
 * The Backend API routes, plus `/sign-in`: a hosted page standing in for Clerk's Account Portal,
 * listing the staff (users with a `cacheDoctorRole`, SPEC §8) and handing the chosen one's session
 * token back to `redirect_url`.
 */
export function createClerkRoutes({ store, secretKey, signingKey, issuer }: ClerkRoutesOptions): Hono {
  const patchUserSchema = z.object({
    first_name: z.string().nullable().optional(),
    last_name: z.string().nullable().optional(),
    username: z.string().nullable().optional(),
    external_id: z.string().nullable().optional(),
    primary_email_address_id: z.string().optional(),
    public_metadata: z.record(z.string(), z.unknown()).optional(),
    private_metadata: z.record(z.string(), z.unknown()).optional(),
    unsafe_metadata: z.record(z.string(), z.unknown()).optional(),
  });
  const metadataSchema = patchUserSchema.pick({
    public_metadata: true,
    private_metadata: true,
    unsafe_metadata: true,
  });

  const body = async (c: Context) => c.req.json().catch(() => ({}));
  const queryOf = (c: Context) => parseRepeated(new URL(c.req.url).searchParams);
  const bodyInvalid = (c: Context, error: z.ZodError) =>
    invalidParam(c, error.issues[0]?.path.map(String).join('.') ?? '', z.prettifyError(error));

  return new Hono()
    .get('/sign-in', (c) => {
      const target = redirectTarget(c.req.query('redirect_url'));
      if (!target) return c.text('redirect_url must be an absolute http(s) URL', 400);
      const staff = [...store.users.values()].filter((user) => staffRole(user) !== null);
      return c.html(signInPage(staff, target.href));
    })
    .post('/sign-in', async (c) => {
      const form = await c.req.parseBody();
      const target = redirectTarget(typeof form.redirect_url === 'string' ? form.redirect_url : undefined);
      const user = typeof form.user_id === 'string' ? store.getUser(form.user_id) : undefined;
      if (!target || !user) return c.text('unknown user or bad redirect_url', 400);
      const token = signSessionToken(signingKey, {
        sub: user.id,
        iss: issuer(),
        azp: target.origin,
        lifetimeSeconds: HOSTED_SIGN_IN_TOKEN_SECONDS,
      });
      // In the fragment, so the token never reaches a server log or a Referer header.
      target.hash = new URLSearchParams({ token }).toString();
      return c.redirect(target.href, 303);
    })
    .use('/v1/*', async (c, next) => {
      const key = bearerToken(c);
      if (!key || !/^sk_(test|live)_\w+$/.test(key) || (secretKey !== undefined && key !== secretKey)) {
        return clerkError(c, 401, {
          code: 'authentication_invalid',
          message: 'Invalid authentication',
          long_message: 'Unable to authenticate the request, you need to supply an active API key',
        });
      }
      return next();
    })
    .get('/v1/jwks', (c) => c.json({ keys: [signingKey.jwk] }))
    .get('/v1/users', (c) => {
      const parsed = listSchema.safeParse(queryOf(c));
      if (!parsed.success) return bodyInvalid(c, parsed.error);
      const { limit = 10, offset = 0, order_by = '-created_at', starting_after } = parsed.data;
      const match = order_by.match(/^([+-]?)(\w+)$/);
      const field = match?.[2] as OrderField | undefined;
      if (!match || !field || !ORDER_FIELDS.includes(field)) {
        return invalidParam(
          c,
          'order_by',
          `order_by must be one of ${ORDER_FIELDS.join(', ')}, optionally signed`,
        );
      }
      // An unsigned field means ascending; Clerk's default (no order_by at all) is `-created_at`.
      const newestFirst = match[1] === '-';
      const { source, filter, range } = select(store, parsed.data);

      if (field === 'created_at') {
        if (starting_after !== undefined && offset > 0) {
          return invalidParam(
            c,
            'starting_after',
            'starting_after cannot be combined with a non-zero offset',
          );
        }
        const page = source.pageByOffset({
          limit,
          offset,
          newestFirst,
          startingAfter: starting_after,
          range,
          filter,
        });
        if (isMissingCursor(page))
          return invalidParam(c, 'starting_after', `No user with id ${page.missingCursor}`);
        return c.json(page);
      }
      if (starting_after !== undefined) {
        return invalidParam(c, 'starting_after', 'starting_after requires ordering by created_at');
      }
      // Other orderings are not indexed: sort the matches (ties by creation) and slice.
      const matches = source.pageByOffset({
        limit: source.size,
        offset: 0,
        newestFirst: false,
        range,
        filter,
      });
      if (isMissingCursor(matches)) return c.json([]);
      const direction = newestFirst ? -1 : 1;
      const sorted = matches.toSorted((a, b) => {
        const x = sortValue(a, field);
        const y = sortValue(b, field);
        if (x === y) return a.created_at - b.created_at;
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * direction;
      });
      return c.json(sorted.slice(offset, offset + limit));
    })
    .get('/v1/users/count', (c) => {
      const parsed = filterSchema.safeParse(queryOf(c));
      if (!parsed.success) return bodyInvalid(c, parsed.error);
      const { source, filter, range } = select(store, parsed.data);
      return c.json({ object: 'total_count', total_count: source.count(filter, range) });
    })
    .get('/v1/users/:id', (c) => {
      const user = store.getUser(c.req.param('id'));
      return user ? c.json(user) : userNotFound(c);
    })
    .patch('/v1/users/:id', async (c) => {
      const parsed = patchUserSchema.safeParse(await body(c));
      if (!parsed.success) return bodyInvalid(c, parsed.error);
      try {
        const user = store.updateUser(c.req.param('id'), parsed.data);
        return user ? c.json(user) : userNotFound(c);
      } catch (error) {
        if (error instanceof UnknownEmailAddressError) {
          return invalidParam(
            c,
            'primary_email_address_id',
            `${error.message} is not one of this user's email addresses`,
          );
        }
        throw error;
      }
    })
    .patch('/v1/users/:id/metadata', async (c) => {
      const parsed = metadataSchema.safeParse(await body(c));
      if (!parsed.success) return bodyInvalid(c, parsed.error);
      const user = store.updateMetadata(c.req.param('id'), parsed.data);
      return user ? c.json(user) : userNotFound(c);
    })
    .delete('/v1/users/:id', (c) => {
      const id = c.req.param('id');
      return store.deleteUser(id) ? c.json({ object: 'user', id, deleted: true }) : userNotFound(c);
    })
    .post('/v1/email_addresses', async (c) => {
      const parsed = z
        .object({ user_id: z.string(), email_address: z.string().min(3), primary: z.boolean().optional() })
        .safeParse(await body(c));
      if (!parsed.success) return bodyInvalid(c, parsed.error);
      const address = store.addEmailAddress(
        parsed.data.user_id,
        parsed.data.email_address,
        parsed.data.primary,
      );
      return address ? c.json(address) : userNotFound(c);
    });
}
