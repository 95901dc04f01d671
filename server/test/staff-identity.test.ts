import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness';

/** Issue 17: staff are ids, not names — two Clerk staff called "Pat Ops" are two people. */

describe('staff identity in Clerk mode (real redis-server + sandbox Clerk)', () => {
  let harness: Harness;
  let userId: string;
  let pat1: { id: string; token: string };
  let pat2: { id: string; token: string };

  const patchClerkUser = async (id: string, body: object) => {
    const response = await fetch(`${harness.sandbox.clerkUrl}/v1/users/${id}`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer sk_test_harness', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    harness = await startHarness({ users: 40, auth: 'clerk' });
    userId = Object.keys(harness.seed.planted.users).find(
      (id) => harness.seed.planted.users[id]?.length === 0 && harness.seed.planted.customerIds[id],
    ) as string;
    // two ops staff with one display name: the seed's ops and support accounts, renamed and re-roled
    const [ops, other] = ['ops', 'support'].map(
      (role) => harness.seed.staff.find((staff) => staff.role === role)?.user.id as string,
    ) as [string, string];
    await patchClerkUser(ops, { first_name: 'Pat', last_name: 'Ops' });
    await patchClerkUser(other, {
      first_name: 'Pat',
      last_name: 'Ops',
      public_metadata: { cacheDoctorRole: 'ops' },
    });
    pat1 = { id: ops, token: harness.sandbox.clerkSessions.mint(ops) };
    pat2 = { id: other, token: harness.sandbox.clerkSessions.mint(other) };
  });
  afterAll(async () => {
    await harness.close();
  });

  it('records the Clerk user id as the actor, with the name beside it, and only that person may undo it', async () => {
    const me = (await (await harness.request('GET', '/api/me', { bearer: pat2.token })).json()) as {
      id: string;
      name: string;
      role: string;
    };
    expect(me).toMatchObject({ id: pat2.id, name: 'Pat Ops', role: 'ops' });

    const key = harness.services.keys.user(userId);
    await harness.services.redis.set(key, 'cus_Stale', 'KEEPTTL');
    const refreshed = (await (
      await harness.request('POST', `/api/users/${userId}/refresh`, { bearer: pat1.token, body: {} })
    ).json()) as { applied: boolean; auditId: string };
    expect(refreshed.applied).toBe(true);
    const entry = await harness.services.audit.get(refreshed.auditId);
    expect(entry).toMatchObject({ actor: pat1.id, actorName: 'Pat Ops', role: 'ops' });

    const before = await harness.snapshot();
    const other = await harness.request('POST', `/api/audit/${refreshed.auditId}/undo`, {
      bearer: pat2.token,
      body: {},
    });
    expect(other.status).toBe(403);
    expect(await harness.snapshot()).toEqual(before);

    const own = await harness.request('POST', `/api/audit/${refreshed.auditId}/undo`, {
      bearer: pat1.token,
      body: {},
    });
    expect(own.status).toBe(200);
    expect(await harness.services.redis.get(key)).toBe('cus_Stale');
  });
});
