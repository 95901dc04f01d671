import type { EmailAddressJSON, UserJSON } from '@clerk/backend';
import type { Random } from './seed-random';

// Clerk (Backend API User, OpenAPI 2026-05-12). The SDK's `UserJSON` lacks a few required fields
// of the OpenAPI schema (passkeys, saml_accounts, mfa_*); they are added so the wire shape is complete.

type ClerkEmailWire = EmailAddressJSON & {
  reserved: boolean;
  matches_sso_connection: boolean;
  created_at: number;
  updated_at: number;
};
type ClerkUserWire = UserJSON & {
  passkeys: never[];
  saml_accounts: never[];
  mfa_enabled_at: number | null;
  mfa_disabled_at: number | null;
  bypass_client_trust: boolean;
};

export interface ClerkUserInput {
  id: string;
  firstName: string;
  lastName: string | null;
  /** addresses oldest first; `primary` indexes the primary one */
  emails: { id: string; address: string; createdAt: number }[];
  primary: number;
  createdAt: number;
  lastSignInAt: number;
  publicMetadata: Record<string, unknown>;
}

const DEFAULT_IMAGE = 'https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18yIn0';

export function clerkUserWire(r: Random, u: ClerkUserInput): UserJSON {
  const emails: ClerkEmailWire[] = u.emails.map((e) => ({
    id: e.id,
    object: 'email_address',
    email_address: e.address,
    reserved: false,
    verification: {
      object: 'verification_otp',
      status: 'verified',
      strategy: 'email_code',
      attempts: 1,
      expire_at: e.createdAt + 600_000,
    } as unknown as EmailAddressJSON['verification'],
    linked_to: [],
    matches_sso_connection: false,
    created_at: e.createdAt,
    updated_at: e.createdAt + r.int(5_000, 120_000),
  }));
  const hasImage = r.chance(0.3);
  const user: ClerkUserWire = {
    id: u.id,
    object: 'user',
    external_id: null,
    primary_email_address_id: emails[u.primary]?.id ?? null,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    username: null,
    first_name: u.firstName,
    last_name: u.lastName,
    locale: null,
    timezone: null,
    image_url: hasImage
      ? `https://img.clerk.com/${r.id('eyJ0eXBlIjoicHJveHkiLCJzcmMiOi', 60)}`
      : DEFAULT_IMAGE,
    has_image: hasImage,
    public_metadata: u.publicMetadata,
    private_metadata: {},
    unsafe_metadata: {},
    email_addresses: emails,
    phone_numbers: [],
    web3_wallets: [],
    passkeys: [],
    password_enabled: r.chance(0.6),
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    mfa_enabled_at: null,
    mfa_disabled_at: null,
    password_last_updated_at: null,
    external_accounts: [],
    saml_accounts: [],
    enterprise_accounts: [],
    organization_memberships: [],
    last_sign_in_at: u.lastSignInAt,
    banned: false,
    locked: false,
    deprovisioned: false,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: 100,
    updated_at: Math.max(u.lastSignInAt, ...u.emails.map((e) => e.createdAt)),
    created_at: u.createdAt,
    delete_self_enabled: true,
    create_organization_enabled: true,
    create_organizations_limit: null,
    last_active_at: Math.floor(u.lastSignInAt / 86_400_000) * 86_400_000,
    legal_accepted_at: u.createdAt,
    bypass_client_trust: false,
  };
  return user;
}
