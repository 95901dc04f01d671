import { type ClerkClient, createClerkClient } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './index';
import { testClerkUser, testDataset } from './test-data';

const T = 1_760_000_000_000;

/** 1,200 users, more than two of Clerk's largest pages; a few with names worth searching for. */
const users = Array.from({ length: 1200 }, (_, i) =>
  testClerkUser({
    id: `user_c${String(i).padStart(5, '0')}`,
    email: `person${i}@example.com`,
    first_name: i === 42 ? 'Ada' : 'Person',
    last_name: i === 42 ? 'Lovelace' : String(i),
    created_at: T + i * 1000,
    public_metadata: i === 42 ? { cacheDoctorRole: 'admin', nested: { a: 1, b: 2 } } : {},
  }),
);

let sandbox: Sandbox;
let clerk: ClerkClient;

beforeAll(async () => {
  sandbox = await startSandbox({ dataset: testDataset({ clerkUsers: users }) });
  clerk = createClerkClient({
    secretKey: 'sk_test_sandbox',
    apiUrl: sandbox.clerkUrl,
    telemetry: { disabled: true },
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset({ data: true }));

describe('Clerk sandbox', () => {
  it('lists users as User instances with totalCount, newest first by default', async () => {
    const { data, totalCount } = await clerk.users.getUserList({ limit: 3 });
    expect(totalCount).toBe(1200);
    expect(data.map((u) => u.id)).toEqual(['user_c01199', 'user_c01198', 'user_c01197']);
    // `User` is exported as a type only; the SDK's deserializer builds instances of its class.
    expect(data[0]?.constructor.name).toMatch(/^_?User$/);
    expect(data[0]?.primaryEmailAddress?.emailAddress).toBe('person1199@example.com');
    expect(data[0]?.firstName).toBe('Person');
  });

  it('pages with limit 500 and offset through everyone exactly once, in either order', async () => {
    const seen: string[] = [];
    for (let offset = 0; ; offset += 500) {
      const { data } = await clerk.users.getUserList({ limit: 500, offset, orderBy: '+created_at' });
      seen.push(...data.map((u) => u.id));
      if (data.length < 500) break;
    }
    expect(seen).toHaveLength(1200);
    expect(new Set(seen).size).toBe(1200);
    expect(seen[0]).toBe('user_c00000');

    const byName = await clerk.users.getUserList({ limit: 2, orderBy: '-last_name' });
    expect(byName.data.map((u) => u.lastName)).toEqual(['Lovelace', '999']);
  });

  it('pages with the starting_after cursor', async () => {
    const first = await fetch(`${sandbox.clerkUrl}/v1/users?limit=500`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    const page = (await first.json()) as { id: string }[];
    const next = await fetch(`${sandbox.clerkUrl}/v1/users?limit=500&starting_after=${page.at(-1)?.id}`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    const second = (await next.json()) as { id: string }[];
    expect(second[0]?.id).toBe('user_c00699');
    const wrong = await fetch(`${sandbox.clerkUrl}/v1/users?starting_after=user_c00001&order_by=first_name`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    expect(wrong.status).toBe(422);
  });

  it('filters by email address, user id and query, with a matching count', async () => {
    const byEmail = await clerk.users.getUserList({
      emailAddress: ['PERSON5@example.com', 'person6@example.com'],
    });
    expect(byEmail.data.map((u) => u.id)).toEqual(['user_c00006', 'user_c00005']);
    expect(byEmail.totalCount).toBe(2);

    const byId = await clerk.users.getUserList({ userId: ['user_c00010', 'user_c00011', 'user_nobody'] });
    expect(byId.data.map((u) => u.id)).toEqual(['user_c00011', 'user_c00010']);

    const byQuery = await clerk.users.getUserList({ query: 'lovelace' });
    expect(byQuery.data.map((u) => u.id)).toEqual(['user_c00042']);
    expect(byQuery.data[0]?.publicMetadata).toEqual({ cacheDoctorRole: 'admin', nested: { a: 1, b: 2 } });
    expect(await clerk.users.getCount({ query: 'person11' })).toBe(111); // 11, 110–119, 1100–1199

    const count = await fetch(`${sandbox.clerkUrl}/v1/users/count?email_address=person1@example.com`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    expect(count.headers.get('content-type')).toBe('application/json');
    expect(await count.json()).toEqual({ object: 'total_count', total_count: 1 });
  });

  it('gets one user, and answers an unknown one with a Clerk 404', async () => {
    const user = await clerk.users.getUser('user_c00042');
    expect(user.fullName).toBe('Ada Lovelace');
    const error = await clerk.users.getUser('user_nobody').catch((e: unknown) => e);
    expect(isClerkAPIResponseError(error)).toBe(true);
    expect(error).toMatchObject({ status: 404, errors: [{ code: 'resource_not_found' }] });
    expect((error as { clerkTraceId?: string }).clerkTraceId).toMatch(/\w+/);
  });

  it('updates users and merges metadata through the SDK', async () => {
    const renamed = await clerk.users.updateUser('user_c00042', { firstName: 'Augusta' });
    expect(renamed.firstName).toBe('Augusta');
    const merged = await clerk.users.updateUserMetadata('user_c00042', {
      publicMetadata: { nested: { b: null, c: 3 }, extra: true },
    });
    expect(merged.publicMetadata).toEqual({ cacheDoctorRole: 'admin', nested: { a: 1, c: 3 }, extra: true });

    const address = await clerk.emailAddresses.createEmailAddress({
      userId: 'user_c00042',
      emailAddress: 'ada@new.example',
      primary: true,
    });
    const moved = await clerk.users.getUser('user_c00042');
    expect(moved.primaryEmailAddressId).toBe(address.id);
    expect(moved.primaryEmailAddress?.emailAddress).toBe('ada@new.example');
    expect(
      (await clerk.users.getUserList({ emailAddress: ['ada@new.example'] })).data.map((u) => u.id),
    ).toEqual(['user_c00042']);

    await clerk.users.deleteUser('user_c00042');
    await expect(clerk.users.getUser('user_c00042')).rejects.toMatchObject({ status: 404 });
    expect(await clerk.users.getCount()).toBe(1199);
  });

  it('requires a secret key', async () => {
    const response = await fetch(`${sandbox.clerkUrl}/v1/users`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errors: [{ code: 'authentication_invalid' }] });
  });
});
