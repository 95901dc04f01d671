import { describe, expect, it } from 'vitest';
import { jobCsvFileName, skipWords, tallyBucket } from './job-tally';

describe('tallyBucket: every result in exactly one bucket', () => {
  const user = { userId: 'user_1', problems: [] as string[], broken: false };
  it('users: healthy or with problems, repaired or already right, skipped by reason, failed', () => {
    expect(tallyBucket({ ...user, outcome: 'diagnosed' })).toBe('ok');
    expect(tallyBucket({ ...user, outcome: 'diagnosed', problems: ['NO_TTL'] })).toBe('problems');
    expect(tallyBucket({ ...user, outcome: 'refreshed', changedKeys: ['user:1'] })).toBe('repaired');
    expect(tallyBucket({ ...user, outcome: 'refreshed', changedKeys: [] })).toBe('unchanged');
    // a result recorded before changed keys were counted was still a write
    expect(tallyBucket({ ...user, outcome: 'refreshed' })).toBe('repaired');
    expect(tallyBucket({ ...user, outcome: 'skipped', reason: 'no-stripe-customer' })).toBe(
      'skipped:no-stripe-customer',
    );
    expect(tallyBucket({ ...user, outcome: 'skipped' })).toBe('skipped:other');
    expect(tallyBucket({ ...user, outcome: 'failed', problems: ['NO_TTL'] })).toBe('failed');
  });

  it('sessions: by their outcome, skipped ones by reason', () => {
    const session = { sessionId: 'cs_1', code: 'WEBHOOK_MISSING' as const, message: 'm' };
    expect(tallyBucket({ ...session, outcome: 'fixed' })).toBe('fixed');
    expect(tallyBucket({ ...session, outcome: 'skipped', reason: 'already-started' })).toBe(
      'skipped:already-started',
    );
  });
});

describe('jobCsvFileName', () => {
  it('names the job type and the minute it started, in local time', () => {
    expect(jobCsvFileName('sweep', new Date(2026, 11, 2, 14, 3, 59))).toBe('sweep-2026-12-02-1403.csv');
    expect(jobCsvFileName('bulk-refresh', new Date(2026, 0, 9, 7, 5))).toBe(
      'bulk-refresh-2026-01-09-0705.csv',
    );
  });
});

describe('skipWords', () => {
  it("names a job's skip reasons and a plan's skip codes; unknown ones read as words", () => {
    expect(skipWords('no-stripe-customer')).toBe('no Stripe customer');
    expect(skipWords('NOTHING_TO_CACHE')).toBe('nothing to cache');
    expect(skipWords('some-new-reason')).toBe('some new reason');
  });
});
