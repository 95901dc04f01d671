import type { User, UserJSON } from '@clerk/backend';
import type { ClerkUserFacts } from '../domain/upstream-facts';

/**
 * Clerk's users turned into the domain's own facts: the SDK's `User` (the gateway) and the API's
 * JSON (the jobs' batch reads call `GET /v1/users` themselves), read by the same rule.
 */

/** The fields read, named as the SDK names them; plain JSON-shaped users (fakes) fit as well. */
type ClerkUserFields = Pick<User, 'id' | 'primaryEmailAddressId' | 'firstName' | 'lastName' | 'createdAt'> & {
  emailAddresses: readonly { id: string; emailAddress: string }[];
};

/** Reads the primary address from the list, not the first one. */
export function clerkUserFacts(user: ClerkUserFields): ClerkUserFacts {
  const primary = user.emailAddresses.find((address) => address.id === user.primaryEmailAddressId);
  return {
    id: user.id,
    primaryEmail: primary?.emailAddress ?? null,
    firstName: user.firstName,
    lastName: user.lastName,
    createdAt: user.createdAt,
  };
}

/** `clerkUserFacts` for the API's JSON (the SDK's `User` class is not exported to build one). */
export const clerkJsonFacts = (user: UserJSON): ClerkUserFacts =>
  clerkUserFacts({
    id: user.id,
    primaryEmailAddressId: user.primary_email_address_id,
    emailAddresses: user.email_addresses.map((address) => ({
      id: address.id,
      emailAddress: address.email_address,
    })),
    firstName: user.first_name,
    lastName: user.last_name,
    createdAt: user.created_at,
  });
