import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { clerkId } from './clerk-store';

/**
 * The signing side of Clerk's session tokens: an RS256 key pair per sandbox (Clerk keeps one per
 * instance), its public half as Clerk's JWKS and as the PEM `CLERK_JWT_KEY` takes, and tokens
 * shaped like Clerk's v2 session tokens, so `@clerk/backend`'s `verifyToken` checks them unchanged.
 */

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** SPKI PEM of the public key: what Clerk's dashboard shows as the "JWT public key" */
  publicKeyPem: string;
  jwk: { use: 'sig'; kty: 'RSA'; kid: string; alg: 'RS256'; n: string; e: string };
}

export function createSigningKey(): SigningKey {
  // 2048 bits because `CLERK_JWT_KEY` parsing in @clerk/backend assumes a 2048-bit SPKI layout.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = clerkId('ins');
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (!n || !e) throw new Error('RSA public key exported without n or e');
  return {
    kid,
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    jwk: { use: 'sig', kty: 'RSA', kid, alg: 'RS256', n, e },
  };
}

export interface SessionTokenClaims {
  /** the Clerk user id */
  sub: string;
  /** the Frontend API URL of the instance that issued it */
  iss: string;
  /** the origin of the page the session belongs to */
  azp: string;
  /** unix seconds; default now */
  iat?: number;
  /** seconds from `iat` to `exp`; Clerk's own session tokens live 60 s */
  lifetimeSeconds?: number;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function signSessionToken(key: SigningKey, claims: SessionTokenClaims): string {
  const iat = claims.iat ?? Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', kid: key.kid, typ: 'JWT' };
  const payload = {
    azp: claims.azp,
    exp: iat + (claims.lifetimeSeconds ?? 60),
    iat,
    iss: claims.iss,
    // Clerk back-dates nbf by 10 s for clock skew between its servers and yours.
    nbf: iat - 10,
    sid: clerkId('sess'),
    sub: claims.sub,
    v: 2,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * The token with its payload changed and the original signature kept, as an attacker who edits a
 * token (say, its `sub`) would send it.
 */
export function tamperWithToken(token: string, patch: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) throw new Error('not a JWT');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${base64url(JSON.stringify({ ...claims, ...patch }))}.${signature}`;
}
