import type { User, UserJSON } from '@clerk/backend';
import { describe, expect, it } from 'vitest';
import { clerkJsonFacts, clerkUserFacts } from './clerk-facts';

/** The SDK's user as its JSON arrives, with only the fields the converter reads. */
const clerkUser = (overrides: Partial<Record<keyof User, unknown>> = {}) =>
  ({
    id: 'user_2abc',
    primaryEmailAddressId: 'idn_2',
    emailAddresses: [
      { id: 'idn_1', emailAddress: 'old@example.com' },
      { id: 'idn_2', emailAddress: 'ann@example.com' },
    ],
    firstName: 'Ann',
    lastName: 'Lee',
    createdAt: 1_700_000_000_000,
    ...overrides,
  }) as unknown as User;

describe('clerkUserFacts', () => {
  it('takes the primary email from the list, not the first one', () => {
    expect(clerkUserFacts(clerkUser())).toEqual({
      id: 'user_2abc',
      primaryEmail: 'ann@example.com',
      firstName: 'Ann',
      lastName: 'Lee',
      createdAt: 1_700_000_000_000,
    });
  });

  it('has no primary email when none is set', () => {
    expect(clerkUserFacts(clerkUser({ primaryEmailAddressId: null })).primaryEmail).toBeNull();
    expect(clerkUserFacts(clerkUser({ emailAddresses: [] })).primaryEmail).toBeNull();
  });
});

describe('clerkJsonFacts', () => {
  it("reads the API's JSON by the same rule: the primary email from the list", () => {
    const json = {
      id: 'user_2abc',
      primary_email_address_id: 'idn_2',
      email_addresses: [
        { id: 'idn_1', email_address: 'old@example.com' },
        { id: 'idn_2', email_address: 'ann@example.com' },
      ],
      first_name: 'Ann',
      last_name: 'Lee',
      created_at: 1_700_000_000_000,
    } as unknown as UserJSON;
    expect(clerkJsonFacts(json)).toEqual(clerkUserFacts(clerkUser()));
    expect(clerkJsonFacts({ ...json, primary_email_address_id: null }).primaryEmail).toBeNull();
  });
});
