import { roleSchema, type Staff } from '@cache-doctor/shared';
import { verifyToken } from '@clerk/backend';
import { TokenVerificationError, TokenVerificationErrorReason } from '@clerk/backend/errors';
import type { Config } from '../config';
import { clerkFullName } from '../domain/customer-record';
import { AppError } from '../lib/app-error';
import type { Authenticator } from './authenticator';

/** How long a staff member's role is trusted before Clerk is asked again (a revoked role lasts this long). */
export const ROLE_CACHE_MS = 60_000;
/** Staff are few; the bound only stops a flood of valid tokens from growing the cache without end. */
const ROLE_CACHE_MAX = 1_000;

/**
 * The signing keys could not be had (Clerk unreachable, bad secret key, no `CLERK_JWT_KEY`): the
 * token may be fine, so this is Clerk's failure (502), not the caller's (401).
 */
const KEY_UNAVAILABLE: ReadonlySet<string> = new Set([
  TokenVerificationErrorReason.InvalidSecretKey,
  TokenVerificationErrorReason.LocalJWKMissing,
  TokenVerificationErrorReason.RemoteJWKFailedToLoad,
  TokenVerificationErrorReason.RemoteJWKInvalid,
  TokenVerificationErrorReason.RemoteJWKMissing,
  TokenVerificationErrorReason.JWKFailedToResolve,
]);

/** What a role lookup needs of Clerk's `User`. */
export interface StaffUser {
  id: string;
  firstName: string | null;
  lastName: string | null;
  publicMetadata: Record<string, unknown>;
  primaryEmailAddress: { emailAddress: string } | null;
}

/**
 * A Clerk user's staff identity: the role from `publicMetadata.cacheDoctorRole` (SPEC §8), the
 * name shown in the audit log from their name, else their email. null when they hold no role.
 */
export function staffFromClerkUser(user: StaffUser): Staff | null {
  const role = roleSchema.safeParse(user.publicMetadata.cacheDoctorRole);
  if (!role.success) return null;
  const name = clerkFullName(user) || user.primaryEmailAddress?.emailAddress || user.id;
  return { id: user.id, name, role: role.data };
}

type StaffLookup = Staff | 'no-role' | 'no-such-user';

export interface ClerkAuthenticatorOptions {
  clerk: Config['clerk'];
  /** the metered Clerk gateway's lookup; null when Clerk has no such user */
  getUser(userId: string): Promise<StaffUser | null>;
  now?: () => number;
  /** deadline of a verification, the remote JWKS fetch included (`UPSTREAM_TIMEOUT_MS`) */
  timeoutMs?: number;
}

/** The SDK's JWKS fetch has no deadline of its own (and retries): the caller's must hold. */
async function within<T>(ms: number, call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Clerk's JWKS did not load within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `AUTH_MODE=clerk`: a Clerk session token, verified by `@clerk/backend` — networkless with
 * `CLERK_JWT_KEY`, else against the instance's JWKS (which the SDK caches) — then the user's role
 * from Clerk, cached for ROLE_CACHE_MS. A verified user without a role is refused with 403
 * NO_ROLE rather than 401: signing in again would not help them, an admin granting a role would.
 */
export function createClerkAuthenticator({
  clerk,
  getUser,
  now = Date.now,
  timeoutMs = 10_000,
}: ClerkAuthenticatorOptions): Authenticator {
  const roles = new Map<string, { staff: Promise<StaffLookup>; until: number }>();

  const lookUp = (userId: string): Promise<StaffLookup> => {
    const at = now();
    const cached = roles.get(userId);
    if (cached && cached.until > at) return cached.staff;
    if (roles.size >= ROLE_CACHE_MAX) {
      for (const [id, entry] of roles) if (entry.until <= at) roles.delete(id);
    }
    // The promise is cached, so the burst of requests a page load makes asks Clerk once.
    const staff = getUser(userId).then((user) =>
      user ? (staffFromClerkUser(user) ?? 'no-role') : 'no-such-user',
    );
    roles.set(userId, { staff, until: at + ROLE_CACHE_MS });
    staff.catch(() => roles.delete(userId));
    return staff;
  };

  return {
    async authenticate(bearer) {
      let userId: string;
      try {
        const claims = await within(
          timeoutMs,
          verifyToken(bearer, {
            secretKey: clerk.secretKey,
            ...(clerk.jwtKey && { jwtKey: clerk.jwtKey }),
            ...(clerk.apiUrl && { apiUrl: clerk.apiUrl }),
            ...(clerk.issuer && { issuer: clerk.issuer }),
            ...(clerk.authorizedParties.length > 0 && { authorizedParties: clerk.authorizedParties }),
          }),
        );
        userId = claims.sub;
      } catch (error) {
        if (error instanceof TokenVerificationError && !KEY_UNAVAILABLE.has(error.reason)) return null;
        throw new AppError(
          'UPSTREAM_ERROR',
          'Clerk failed: its signing keys could not be loaded to check your session; try again shortly.',
        );
      }
      const staff = await lookUp(userId);
      // A deleted Clerk user has no identity any more; a user without a role has one but no access.
      if (staff === 'no-such-user') return null;
      if (staff === 'no-role')
        throw new AppError(
          'NO_ROLE',
          'Your Clerk account has no Cache Doctor role. Ask an admin to set publicMetadata.cacheDoctorRole.',
        );
      return staff;
    },
  };
}
