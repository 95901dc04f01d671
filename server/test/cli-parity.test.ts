import type { CustomerHealthCode, CustomerSyncCode, SessionCode } from '@cache-doctor/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../src/jobs/runner';
import { type Harness, startHarness } from './harness';

/**
 * SPEC §10 on real redis-server + the sandbox upstreams: every command of `pnpm cli`, its --json
 * parsed, and its exit code — 0 all well, 3 problems remain, 1 failed, 2 bad usage.
 */

describe('pnpm cli: parity and exit codes', () => {
  let harness: Harness;
  const taken = new Set<string>();
  const userWith = (code: CustomerHealthCode | CustomerSyncCode | null) => {
    const found = Object.entries(harness.seed.planted.users).find(
      ([id, codes]) =>
        !taken.has(id) && (code === null ? codes.length === 0 : codes.length === 1 && codes[0] === code),
    );
    if (!found) throw new Error(`no unused user with ${code ?? 'no problem'}`);
    taken.add(found[0]);
    return found[0];
  };
  const sessionWith = (code: SessionCode) => {
    const found = Object.entries(harness.seed.planted.sessions).find(
      ([id, planted]) => planted.code === code && planted.layout === 'session-only' && !taken.has(id),
    );
    if (!found) throw new Error(`no unused ${code} session`);
    taken.add(found[0]);
    return found[0];
  };
  const cli = (...argv: string[]) => harness.cli(argv);

  beforeAll(async () => {
    harness = await startHarness({ users: 300 });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('usage errors exit 2 for every command', async () => {
    for (const argv of [
      [],
      ['nonsense'],
      ['session'],
      ['session', 'not-a-session'],
      ['user'],
      ['user', 'x', '--dry-run'],
      ['user', 'user_2abc', '--refresh', '--remove'],
      ['analytics', '--limit', 'many'],
      ['sweep', 'extra'],
      ['bulk-refresh'],
      ['bulk-refresh', 'cus_notauser'],
      ['rebuild', 'extra'],
      ['session-sweep', '--fix', '--generate'],
      ['session-sweep', '--since', 'yesterday'],
    ]) {
      expect({ argv, code: (await cli(...argv)).code }).toEqual({ argv, code: 2 });
    }
  });

  it('session: 0 for an OK session, 3 while it has problems (also after --fix), 1 when refused', async () => {
    const ok = await cli('session', sessionWith('OK'), '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({
      session: { diagnosis: { code: 'OK' } },
      problemsRemain: false,
    });

    const missing = sessionWith('WEBHOOK_MISSING');
    const broken = await cli('session', missing, '--json');
    expect(broken.code).toBe(3);
    expect(JSON.parse(broken.out).session.diagnosis.code).toBe('WEBHOOK_MISSING');

    const fixed = await cli('session', missing, '--fix', '--yes', '--json');
    expect(fixed.code).toBe(3);
    expect(JSON.parse(fixed.out)).toMatchObject({
      fix: { status: { status: 'error' } },
      problemsRemain: true,
    });

    const refused = await cli('session', missing, '--fix', '--yes', '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out).error.code).toBe('STATUS_EXISTS');

    const generated = await cli('session', sessionWith('GENERATION_FAILED'), '--json');
    expect(generated.code).toBe(3);
    expect(JSON.parse(generated.out).session.generation).toMatchObject({ state: 'failed' });
  });

  it('user: 0 when healthy and in sync, 3 with problems, 0 after a refresh repaired them, 1 for an unknown user', async () => {
    const healthy = await cli('user', userWith(null), '--json');
    expect(healthy.code).toBe(0);
    expect(JSON.parse(healthy.out)).toMatchObject({ health: { healthy: true }, sync: { inSync: true } });

    const stale = userWith('PAYMENT_METHOD_STALE');
    const before = await cli('user', stale, '--json');
    expect(before.code).toBe(3);
    expect(JSON.parse(before.out).sync.problems).toEqual([
      expect.objectContaining({ code: 'PAYMENT_METHOD_STALE', fix: 'refresh' }),
    ]);
    const refreshed = await cli('user', stale, '--refresh', '--yes', '--json');
    expect(refreshed.code).toBe(0);
    expect(JSON.parse(refreshed.out)).toMatchObject({ refresh: { applied: true }, problemsRemain: false });

    expect((await cli('user', 'user_2NoSuchUserAnywhere', '--json')).code).toBe(1);
  });

  it('analytics: 0, --json parsed', async () => {
    const stats = await cli('analytics', '--stats', '--json');
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.out)).toBeTypeOf('object');
  });

  it('bulk-refresh: 0 when every listed user is repaired, 3 when one cannot be (progress on stderr)', async () => {
    const fixable = [userWith('SUBSCRIPTIONS_STALE'), userWith('PAYMENT_METHOD_STALE')];
    const done = await cli('bulk-refresh', ...fixable, '--yes', '--json');
    expect(done.err).toContain('started');
    const summary = JSON.parse(done.out);
    expect(summary).toMatchObject({
      type: 'bulk-refresh',
      state: 'completed',
      total: 2,
      stillWithProblems: 0,
    });
    expect(done.code).toBe(0);

    const orphan = userWith('STRIPE_CUSTOMER_NOT_FOUND');
    const partly = await cli('bulk-refresh', orphan, '--yes', '--json');
    const result = JSON.parse(partly.out);
    expect(result.stillWithProblems).toBe(1);
    expect(result.users).toEqual([expect.objectContaining({ userId: orphan })]);
    expect(partly.code).toBe(3);
  });

  it('sweep and rebuild: 3 while the seed holds users a refresh cannot repair, --json flat', async () => {
    const sweep = await cli('sweep', '--json');
    expect(sweep.code).toBe(3);
    expect(JSON.parse(sweep.out).broken).toBeGreaterThan(0);

    // the plan first; without --yes (and no terminal to ask) nothing starts
    const store = new JobQueue(harness.services).store;
    const jobsBefore = (await store.list(50)).map((record) => record.id);
    const unconfirmed = await cli('rebuild', '--json');
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.err).toContain(
      `rewrite the cache of every Clerk user from Stripe — ${harness.seed.dataset.clerkUsers.length} users`,
    );
    expect(unconfirmed.err).toContain('Nothing was written');
    expect((await store.list(50)).map((record) => record.id)).toEqual(jobsBefore);

    const rebuild = await cli('rebuild', '--yes', '--json');
    const summary = JSON.parse(rebuild.out);
    expect(summary).toMatchObject({ type: 'rebuild', state: 'completed' });
    expect(summary.stillWithProblems).toBeGreaterThan(0);
    for (const value of Object.values(summary).filter((entry) => !Array.isArray(entry)))
      expect(value === null || typeof value !== 'object').toBe(true);
    expect(rebuild.code).toBe(3);
  });

  it('session-sweep: 3 while paid sessions remain unprocessed; --json flat with one row per session', async () => {
    const report = await cli('session-sweep', '--json');
    expect(report.err).toContain('started');
    const summary = JSON.parse(report.out);
    expect(summary).toMatchObject({ type: 'session-sweep', action: 'report', state: 'completed' });
    expect(summary.unprocessed).toBeGreaterThan(0);
    expect(summary.sessions).toHaveLength(summary.unprocessed);
    expect(report.code).toBe(3);

    // nothing since now: nothing unprocessed, all well
    const empty = await cli('session-sweep', '--since', new Date().toISOString(), '--json');
    expect(JSON.parse(empty.out)).toMatchObject({ unprocessed: 0 });
    expect(empty.code).toBe(0);

    // a repair shows its plan and, unconfirmed, marks nothing
    const store = new JobQueue(harness.services).store;
    const jobsBefore = (await store.list(50)).map((record) => record.id);
    const unconfirmed = await cli('session-sweep', '--fix');
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.err).toMatch(/mark as failed \d+ of the \d+ unprocessed paid sessions since/);
    expect(unconfirmed.err).toContain('Nothing was written');
    expect((await store.list(50)).map((record) => record.id)).toEqual(jobsBefore);
  });
});
