import { randomBytes } from 'node:crypto';
import type { EmailAddressJSON, UserJSON } from '@clerk/backend';
import { OrderedIndex } from './ordered-index';

/** Clerk ids: a prefix and 27 base-62 characters. */
export function clerkId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `${prefix}_${[...randomBytes(27)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

export const primaryEmailOf = (user: UserJSON): string | null =>
  user.email_addresses.find((e) => e.id === user.primary_email_address_id)?.email_address ?? null;

type Metadata = Record<string, unknown>;

/** Clerk's metadata merge: objects merge deeply, `null` removes a key, anything else replaces. */
export function mergeMetadata(current: Metadata, patch: Metadata): Metadata {
  const merged: Metadata = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const existing = merged[key];
    if (value === null) delete merged[key];
    else if (isPlainObject(value) && isPlainObject(existing)) merged[key] = mergeMetadata(existing, value);
    else merged[key] = value;
  }
  return merged;
}

const isPlainObject = (value: unknown): value is Metadata =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface UserFields {
  first_name?: string | null;
  last_name?: string | null;
  username?: string | null;
  external_id?: string | null;
  primary_email_address_id?: string;
  /** replaced whole, as `PATCH /v1/users/{id}` does (the metadata endpoint merges) */
  public_metadata?: Metadata;
  private_metadata?: Metadata;
  unsafe_metadata?: Metadata;
}

export type MetadataFields = Pick<UserFields, 'public_metadata' | 'private_metadata' | 'unsafe_metadata'>;

export class UnknownEmailAddressError extends Error {}

/**
 * Clerk's side of the sandbox. Users are immutable values: an update stores a new object, so a
 * loaded dataset is never modified and `reset()` reloads it without a deep copy.
 */
export class ClerkStore {
  readonly users = new OrderedIndex<UserJSON>(
    (u) => u.id,
    (u) => u.created_at,
  );
  /** lower-cased email → user ids; Clerk compares addresses case-insensitively */
  private readonly userIdsByEmail = new Map<string, Set<string>>();
  private loaded: UserJSON[] = [];

  load(users: UserJSON[]): void {
    this.loaded = users;
    this.userIdsByEmail.clear();
    this.users.load(users);
    for (const user of this.users.values()) this.indexEmails(user);
  }

  reset(): void {
    this.load(this.loaded);
  }

  getUser(id: string): UserJSON | undefined {
    return this.users.get(id);
  }

  userIdsWithEmail(email: string): Iterable<string> {
    return this.userIdsByEmail.get(email.toLowerCase()) ?? [];
  }

  putUser(user: UserJSON): UserJSON {
    const previous = this.users.get(user.id);
    if (previous) this.unindexEmails(previous);
    this.users.put(user);
    this.indexEmails(user);
    return user;
  }

  /** @throws UnknownEmailAddressError when `primary_email_address_id` is not one of the user's */
  updateUser(id: string, fields: UserFields, now = Date.now()): UserJSON | undefined {
    const current = this.users.get(id);
    if (!current) return undefined;
    const primary = fields.primary_email_address_id;
    if (primary !== undefined && !current.email_addresses.some((e) => e.id === primary)) {
      throw new UnknownEmailAddressError(primary);
    }
    return this.putUser({ ...current, ...fields, updated_at: now });
  }

  updateMetadata(id: string, fields: MetadataFields, now = Date.now()): UserJSON | undefined {
    const current = this.users.get(id);
    if (!current) return undefined;
    return this.putUser({
      ...current,
      public_metadata: mergeMetadata(current.public_metadata, fields.public_metadata ?? {}),
      private_metadata: mergeMetadata(current.private_metadata, fields.private_metadata ?? {}),
      unsafe_metadata: mergeMetadata(current.unsafe_metadata, fields.unsafe_metadata ?? {}),
      updated_at: now,
    });
  }

  /** Adds a verified address (as the Backend API does by default), optionally making it primary. */
  addEmailAddress(
    userId: string,
    email: string,
    primary = false,
    now = Date.now(),
  ): EmailAddressJSON | undefined {
    const current = this.users.get(userId);
    if (!current) return undefined;
    const address = emailAddressShape(clerkId('idn'), email, now);
    this.putUser({
      ...current,
      email_addresses: [...current.email_addresses, address],
      primary_email_address_id:
        primary || !current.primary_email_address_id ? address.id : current.primary_email_address_id,
      updated_at: now,
    });
    return address;
  }

  deleteUser(id: string): boolean {
    const current = this.users.get(id);
    if (!current) return false;
    this.unindexEmails(current);
    return this.users.delete(id);
  }

  private indexEmails(user: UserJSON): void {
    for (const { email_address } of user.email_addresses) {
      const key = email_address.toLowerCase();
      let ids = this.userIdsByEmail.get(key);
      if (!ids) {
        ids = new Set();
        this.userIdsByEmail.set(key, ids);
      }
      ids.add(user.id);
    }
  }

  private unindexEmails(user: UserJSON): void {
    for (const { email_address } of user.email_addresses) {
      this.userIdsByEmail.get(email_address.toLowerCase())?.delete(user.id);
    }
  }
}

/** The wire object carries more than the SDK's type names: `reserved` and its own timestamps. */
export type EmailAddressWire = EmailAddressJSON & {
  reserved: boolean;
  created_at: number;
  updated_at: number;
};

/** A verified email address in Clerk's wire shape (2026-05-12). */
export function emailAddressShape(id: string, email: string, now: number): EmailAddressWire {
  // The SDK types a verification as a resource with an id; on the wire it has none.
  const verification = {
    object: 'verification_admin',
    status: 'verified',
    strategy: 'admin',
    attempts: null,
    expire_at: null,
  } as unknown as EmailAddressJSON['verification'];
  return {
    id,
    object: 'email_address',
    email_address: email,
    reserved: false,
    verification,
    linked_to: [],
    created_at: now,
    updated_at: now,
  };
}
