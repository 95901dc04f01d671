import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';

/** Hono's `secureHeaders` default, sent only where RFC 6797 allows it. */
const HSTS_VALUE = 'max-age=15552000; includeSubDomains';

/** The TCP peer under `@hono/node-server`; null where there is none (`app.request`, other runtimes). */
function peerAddress(c: Context): string | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const address = incoming?.socket?.remoteAddress;
  if (!address) return null;
  // an IPv4 client on a dual-stack socket is reported as ::ffff:a.b.c.d
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/**
 * Whether the request reached us over HTTPS: directly (a TLS socket gives an https URL), or through
 * a proxy in `TRUSTED_PROXIES` that says so in `X-Forwarded-Proto`. Only the value the nearest proxy
 * wrote counts (the last one), and only from a trusted peer: anyone else may send the header.
 */
export function arrivedOverHttps(c: Context, trustedProxies: ReadonlySet<string>): boolean {
  // every request passes here: a prefix test, not a URL parse, and the peer only when a proxy spoke
  if (c.req.url.startsWith('https:')) return true;
  const forwarded = c.req.header('x-forwarded-proto')?.split(',').pop()?.trim().toLowerCase();
  if (forwarded !== 'https') return false;
  const peer = peerAddress(c);
  return peer !== null && trustedProxies.has(peer);
}

/**
 * `Strict-Transport-Security` only on answers that travel over HTTPS: RFC 6797 §7.2 forbids it over
 * plain HTTP, where a browser must ignore it anyway.
 */
export function strictTransportSecurity(trustedProxies: readonly string[]): MiddlewareHandler {
  const trusted = new Set(trustedProxies);
  return async (c, next) => {
    await next();
    if (arrivedOverHttps(c, trusted)) c.res.headers.set('Strict-Transport-Security', HSTS_VALUE);
  };
}
