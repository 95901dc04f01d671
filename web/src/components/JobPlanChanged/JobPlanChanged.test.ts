import { describe, expect, it } from 'vitest';
import { jobPlanChanges, plannedUserWords } from './JobPlanChanged';

const user = (skip: string | null, upToDate = false) => ({
  userId: 'user_1',
  email: null,
  name: null,
  planId: skip ? null : 'plan_1',
  upToDate,
  skip,
});

describe("a bulk refresh plan's user in words", () => {
  it('names skip reasons from the shared words, not the lower-cased code', () => {
    expect(plannedUserWords(user('NOTHING_TO_CACHE'))).toBe('skipped (nothing to cache)');
    expect(plannedUserWords(user('USER_NOT_FOUND'))).toBe('skipped (no such user in Clerk)');
    expect(plannedUserWords(user('CONFLICT'))).toBe("skipped (another user's customer)");
    expect(plannedUserWords(user('SOMETHING_NEW'))).toBe('skipped (something new)');
  });

  it('says whether a user is refreshed or already up to date', () => {
    expect(plannedUserWords(user(null))).toBe('refreshed');
    expect(plannedUserWords(user(null, true))).toBe('already up to date');
  });
});

describe('what changed in a plan', () => {
  it('counts one user or session in the singular', () => {
    expect(jobPlanChanges({ type: 'rebuild', users: 2 }, { type: 'rebuild', users: 1 })).toBe(
      'Clerk now has 1 user, not 2.',
    );
  });
});
