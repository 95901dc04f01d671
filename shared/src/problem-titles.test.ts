import { describe, expect, it } from 'vitest';
import { PROBLEM_TITLES, problemTitle, problemTitles } from './problem-titles';
import { CUSTOMER_HEALTH_CODES, CUSTOMER_SYNC_CODES, problemSchema, SESSION_CODES } from './problems';

describe('problem titles', () => {
  it('gives every problem code of shared/ a short title in words, distinct from the code', () => {
    const codes = problemSchema.shape.code.options;
    expect(codes).toEqual([...CUSTOMER_HEALTH_CODES, ...CUSTOMER_SYNC_CODES, ...SESSION_CODES]);
    for (const code of codes) {
      const title = PROBLEM_TITLES[code];
      expect(title, code).toMatch(/^[A-Z]/);
      if (code !== 'OK') expect(title, code).not.toBe(code);
      expect(title.length, code).toBeLessThanOrEqual(40);
    }
    expect(Object.keys(PROBLEM_TITLES).sort()).toEqual([...codes].sort());
    expect(PROBLEM_TITLES.GENERATION_FAILED).toBe('Video generation failed');
    expect(PROBLEM_TITLES.PAYMENT_METHOD_STALE).toBe('Payment method out of date');
  });

  it('reads an unknown code as words, and joins several for one cell', () => {
    expect(problemTitle('SOMETHING_NEW')).toBe('something new');
    expect(problemTitles(['EMAIL_MAPPING_MISSING', 'NO_TTL'])).toBe(
      'Email lookup missing; Keys never expire',
    );
  });
});
