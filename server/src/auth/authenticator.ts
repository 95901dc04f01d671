import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role, Staff } from '@cache-doctor/shared';
import type { StaffToken } from '../config';

/** Turns a bearer token into a staff identity, or null when it is not one. */
export interface Authenticator {
  authenticate(bearer: string): Promise<Staff | null>;
}

/** One-shot hashing: no Hash object per request (every API request is authenticated). */
const digest = (value: string) => hash('sha256', value, 'buffer');

/**
 * `AUTH_MODE=token`: the configured `STAFF_TOKENS`. Compared as fixed-length digests in constant
 * time so response timing says nothing about how much of a token was right.
 */
export function createTokenAuthenticator(tokens: readonly StaffToken[]): Authenticator {
  const known = tokens.map((entry) => ({
    digest: digest(entry.token),
    staff: { id: entry.id, name: entry.name, role: entry.role },
  }));
  return {
    async authenticate(bearer) {
      const candidate = digest(bearer);
      let found: Staff | null = null;
      for (const entry of known) {
        if (timingSafeEqual(entry.digest, candidate)) found = entry.staff;
      }
      return found;
    },
  };
}

export const DEMO_STAFF_NAMES: Record<Role, string> = {
  support: 'Sam Support',
  ops: 'Olivia Ops',
  admin: 'Ada Admin',
};

export interface DemoAuthenticator extends Authenticator {
  /** Demo sign-in: anyone may take any role, so this exists only in demo mode. */
  issue(role: Role): { token: string; staff: Staff };
}

export function createDemoAuthenticator(): DemoAuthenticator {
  const sessions = new Map<string, Staff>();
  return {
    issue(role) {
      const token = `demo_${randomBytes(24).toString('hex')}`;
      const staff = { id: `demo:${role}`, name: DEMO_STAFF_NAMES[role], role };
      sessions.set(token, staff);
      return { token, staff };
    },
    async authenticate(bearer) {
      return sessions.get(bearer) ?? null;
    },
  };
}
