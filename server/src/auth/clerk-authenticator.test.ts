import { beforeEach, describe, expect, it } from 'vitest';
import { statusOf } from '../app';
import type { Config } from '../config';
import { AppError } from '../lib/app-error';
import {
  createSigningKey,
  type SessionTokenClaims,
  signSessionToken,
  tamperWithToken,
} from '../sandbox/clerk-sessions';
import {
  createClerkAuthenticator,
  ROLE_CACHE_MS,
  type StaffUser,
  staffFromClerkUser,
} from './clerk-authenticator';

const ISSUER = 'https://clerk.example.test';
const APP = 'https://cache-doctor.example.test';
const key = createSigningKey();
const otherInstance = createSigningKey();

const staffUser = (
  id: string,
  publicMetadata: Record<string, unknown>,
  name = ['Grace', 'Hopper'],
): StaffUser => ({
  id,
  firstName: name[0] ?? null,
  lastName: name[1] ?? null,
  publicMetadata,
  primaryEmailAddress: { emailAddress: `${id}@example.test` },
});

const USERS: Record<string, StaffUser> = {
  user_ops: staffUser('user_ops', { cacheDoctorRole: 'ops' }),
  user_norole: staffUser('user_norole', { plan: 'pro' }),
  user_wizard: staffUser('user_wizard', { cacheDoctorRole: 'wizard' }),
};

const clerkConfig = (overrides: Partial<Config['clerk']> = {}): Config['clerk'] => ({
  secretKey: 'sk_test_unit',
  apiUrl: undefined,
  dashboardUrl: undefined,
  jwtKey: key.publicKeyPem,
  signInUrl: undefined,
  issuer: ISSUER,
  authorizedParties: [APP],
  ...overrides,
});

const token = (sub: string, claims: Partial<SessionTokenClaims> = {}, signingKey = key) =>
  signSessionToken(signingKey, { sub, iss: ISSUER, azp: APP, ...claims });

describe('staffFromClerkUser', () => {
  it('takes the role from publicMetadata.cacheDoctorRole and the name for the audit log', () => {
    expect(staffFromClerkUser(USERS.user_ops as StaffUser)).toEqual({
      id: 'user_ops',
      name: 'Grace Hopper',
      role: 'ops',
    });
  });

  it('falls back to the email when the user has no name', () => {
    const nameless = staffUser('user_x', { cacheDoctorRole: 'admin' }, []);
    expect(staffFromClerkUser(nameless)).toEqual({
      id: nameless.id,
      name: 'user_x@example.test',
      role: 'admin',
    });
  });

  it('gives no identity to a user without a role or with an unknown one', () => {
    expect(staffFromClerkUser(USERS.user_norole as StaffUser)).toBeNull();
    expect(staffFromClerkUser(USERS.user_wizard as StaffUser)).toBeNull();
  });
});

describe('the Clerk authenticator (networkless, CLERK_JWT_KEY)', () => {
  let lookups: string[];
  let clock: number;
  const authenticator = (overrides: Partial<Config['clerk']> = {}) =>
    createClerkAuthenticator({
      clerk: clerkConfig(overrides),
      getUser: async (id) => {
        lookups.push(id);
        return USERS[id] ?? null;
      },
      now: () => clock,
    });

  beforeEach(() => {
    lookups = [];
    clock = 1_000_000;
  });

  it('accepts a valid session token as the staff member its user is', async () => {
    expect(await authenticator().authenticate(token('user_ops'))).toEqual({
      id: 'user_ops',
      name: 'Grace Hopper',
      role: 'ops',
    });
  });

  it('rejects expired, not-yet-valid, tampered and other-instance tokens', async () => {
    const auth = authenticator();
    const now = Math.floor(Date.now() / 1000);
    const rejected = {
      expired: token('user_ops', { iat: now - 3600, lifetimeSeconds: 60 }),
      'issued in the future': token('user_ops', { iat: now + 3600 }),
      tampered: tamperWithToken(token('user_norole'), { sub: 'user_ops' }),
      'signed by another instance': token('user_ops', {}, otherInstance),
      'another issuer': token('user_ops', { iss: 'https://evil.example.test' }),
      'another app (azp)': token('user_ops', { azp: 'https://evil.example.test' }),
      'not a JWT': 'not-a-jwt',
    };
    for (const [name, bearer] of Object.entries(rejected)) {
      expect(await auth.authenticate(bearer), name).toBeNull();
    }
    expect(lookups).toEqual([]);
  });

  it('refuses a verified user without a Cache Doctor role with 403 NO_ROLE', async () => {
    const failure = await authenticator()
      .authenticate(token('user_norole'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'NO_ROLE' });
    expect(statusOf(failure as AppError)).toBe(403);
  });

  it('gives no identity to a user Clerk no longer has', async () => {
    expect(await authenticator().authenticate(token('user_deleted'))).toBeNull();
  });

  it('asks Clerk for the role once a minute, however many requests arrive', async () => {
    const auth = authenticator();
    await Promise.all([auth.authenticate(token('user_ops')), auth.authenticate(token('user_ops'))]);
    clock += ROLE_CACHE_MS - 1;
    await auth.authenticate(token('user_ops'));
    expect(lookups).toEqual(['user_ops']);
    clock += 1;
    await auth.authenticate(token('user_ops'));
    expect(lookups).toEqual(['user_ops', 'user_ops']);
  });

  it('checks issuer and authorized parties only when configured', async () => {
    const lenient = authenticator({ issuer: undefined, authorizedParties: [] });
    expect(
      await lenient.authenticate(token('user_ops', { iss: 'https://other.example.test', azp: 'x' })),
    ).toEqual({
      id: 'user_ops',
      name: 'Grace Hopper',
      role: 'ops',
    });
  });
});
