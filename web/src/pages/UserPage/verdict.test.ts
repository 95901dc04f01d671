import type { Problem } from '@cache-doctor/shared';
import { describe, expect, it } from 'vitest';
import { codesVerdict, userVerdict } from './verdict';

const problem = (code: Problem['code'], severity: Problem['severity'], fix?: Problem['fix']): Problem => ({
  code,
  severity,
  message: code,
  ...(fix && { fix }),
});
const none = { problems: [] };

describe('the user page verdict', () => {
  it('is OK only when both health and sync have no problem', () => {
    expect(userVerdict(none, none, false)).toMatchObject({ tone: 'ok', label: 'OK' });
  });

  it('says "Needs a refresh" when a refresh fixes any problem, and how many of them', () => {
    const verdict = userVerdict(
      { problems: [] },
      {
        problems: [
          problem('EMAIL_MISMATCH_STRIPE', 'error', 'refresh'),
          problem('CLERK_USER_NOT_FOUND', 'error'),
        ],
      },
      false,
    );
    expect(verdict).toMatchObject({ tone: 'danger', label: 'Needs a refresh' });
    expect(verdict?.detail).toContain('fixes 1 problem of 2');
  });

  it('names the other repair, a problem nothing here fixes, and warnings alone', () => {
    expect(userVerdict({ problems: [problem('LEGACY_KEYS', 'warning', 'remove')] }, none, false)?.label).toBe(
      'Needs keys removed',
    );
    expect(userVerdict(none, { problems: [problem('NO_STRIPE_CUSTOMER', 'error')] }, false)?.label).toBe(
      'Needs a person',
    );
    expect(userVerdict(none, { problems: [problem('NO_STRIPE_CUSTOMER', 'warning')] }, false)).toMatchObject({
      tone: 'warning',
      label: 'OK, with warnings',
    });
  });

  it('gives none while a side is being read, and "Not known" when one could not be read', () => {
    expect(userVerdict(none, undefined, false)).toBeNull();
    expect(userVerdict(none, undefined, true)).toMatchObject({ label: 'Not known' });
  });
});

describe('the verdict of a sweep row (codes only)', () => {
  it('says what the user page would: refresh, remove keys, nothing to do, a person', () => {
    expect(codesVerdict(['NO_TTL', 'CUSTOMER_MISSING'], true).label).toBe('Needs a refresh');
    expect(codesVerdict(['CLERK_USER_NOT_FOUND'], true).label).toBe('Needs keys removed');
    expect(codesVerdict(['STRIPE_CUSTOMER_NOT_FOUND', 'NO_TTL'], true).label).toBe('Needs a refresh');
    expect(codesVerdict(['STRIPE_CUSTOMER_NOT_FOUND'], true).label).toBe('Needs keys removed');
    expect(codesVerdict(['NO_STRIPE_CUSTOMER'], false).label).toBe('OK, with warnings');
    expect(codesVerdict(['SOMETHING_NEW'], true).label).toBe('Needs a person');
    expect(codesVerdict([], false).label).toBe('OK');
  });

  it('never promises a refresh for a Clerk email or name that differs: it helps only when Stripe agrees with Clerk', () => {
    expect(codesVerdict(['EMAIL_MISMATCH_CLERK'], true).label).toBe('Needs a person');
    expect(codesVerdict(['NAME_MISMATCH_CLERK'], true).label).toBe('Needs a person');
  });
});
