import { describe, expect, it } from 'vitest';
import { planLines } from './format';

describe('planLines: a plan as the terminal shows it before the yes', () => {
  it('names what happens to each key and, for a changed one, only its changed fields before → after', () => {
    const before = JSON.stringify({ status: 'active', email: 'a@example.com', updatedAt: 1796229281417 });
    const after = JSON.stringify({ status: 'past_due', email: 'a@example.com', updatedAt: 1796229281417 });
    expect(
      planLines([
        { key: 'customer:cus_1', before, after },
        { key: 'email:a@example.com', before: 'user_1', after: 'user_1' },
        { key: 'subscription:sub_old', before, after: null },
      ]),
    ).toEqual([
      '  ~ changed: customer:cus_1',
      '      status: active → past_due',
      '  = unchanged: email:a@example.com',
      '  - removed: subscription:sub_old',
    ]);
  });

  it('follows the server when it says a write is unchanged (only its own time stamp moves)', () => {
    const lines = planLines([
      { key: 'user:u', before: '{"updatedAt":1}', after: '{"updatedAt":2}', unchanged: true },
    ]);
    expect(lines).toEqual(['  = unchanged: user:u']);
  });

  it('shows a timestamp with its UTC date and cuts a long value', () => {
    const [, stamp, long] = planLines([
      { key: 'k', before: null, after: JSON.stringify({ at: 1786298531, note: 'x'.repeat(200) }) },
    ]);
    expect(stamp).toBe('      at: (none) → 1786298531 (2026-08-09 18:02 UTC)');
    expect(long).toMatch(/^ {6}note: \(none\) → x{71}…$/);
  });
});
