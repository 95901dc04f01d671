import { describe, expect, it } from 'vitest';
import { SESSION_CSV_HEADER, sessionCsvLine, USER_CSV_HEADER, userCsvLine } from './results-csv';

describe('job results as CSV', () => {
  it('a user: email and name first, problem codes with their titles, every message in words', () => {
    expect(USER_CSV_HEADER).toBe('userId,email,name,outcome,reason,broken,problems,problemTitles,messages');
    const line = userCsvLine({
      userId: 'user_1',
      email: 'ann@example.com',
      name: 'Ann, "the" Admin',
      outcome: 'skipped',
      reason: 'no-stripe-customer',
      broken: true,
      problems: ['NO_STRIPE_CUSTOMER', 'NO_TTL'],
      problemMessages: ['No Stripe customer has this email.', 'The keys never expire.'],
      message: 'Nothing to cache.',
    });
    const [id, email, ...rest] = line.split(',');
    expect([id, email]).toEqual(['user_1', 'ann@example.com']);
    // a cell with a comma or quote is quoted, its quotes doubled
    expect(rest.join(',')).toMatch(
      /^"Ann, ""the"" Admin",skipped,no-stripe-customer,true,NO_STRIPE_CUSTOMER NO_TTL,/,
    );
    expect(line).not.toMatch(/,NO_STRIPE_CUSTOMER; /);
    expect(line).toMatch(/No Stripe customer has this email\. The keys never expire\. Nothing to cache\.$/);
  });

  it('a user with nothing known about them leaves the cells empty, never "undefined"', () => {
    const line = userCsvLine({ userId: 'user_2', outcome: 'diagnosed', problems: [], broken: false });
    expect(line).toBe('user_2,,,diagnosed,,false,,,');
  });

  it('a session: the customer, the diagnosis with its title, the message and the audit entry', () => {
    expect(SESSION_CSV_HEADER.split(',')).toEqual([
      'sessionId',
      'customerEmail',
      'outcome',
      'reason',
      'diagnosis',
      'diagnosisTitle',
      'message',
      'auditId',
    ]);
    const line = sessionCsvLine({
      sessionId: 'cs_1',
      customerEmail: 'bo@example.com',
      outcome: 'fixed',
      code: 'WEBHOOK_MISSING',
      message: 'Marked as failed.',
      auditId: 'a1',
    });
    expect(line).toMatch(/^cs_1,bo@example.com,fixed,,WEBHOOK_MISSING,[^,]+,Marked as failed\.,a1$/);
  });
});
