import { describe, expect, it } from 'vitest';
import { safeNext, searchTarget } from './paths';

describe('searchTarget', () => {
  it('sends exact ids straight to their pages', () => {
    expect(searchTarget('user_2abcXYZ')).toBe('/users/user_2abcXYZ');
    expect(searchTarget('  cs_test_a1B2c3  ')).toBe('/sessions/cs_test_a1B2c3');
    expect(searchTarget('cs_live_Z9')).toBe('/sessions/cs_live_Z9');
    expect(searchTarget('cus_Q1w2')).toBe('/users?customer=cus_Q1w2');
  });

  it('sends anything else to the user search, encoded', () => {
    expect(searchTarget('ada@example.com')).toBe('/users?q=ada%40example.com');
    expect(searchTarget('user_')).toBe('/users?q=user_');
    expect(searchTarget('user_abc/../admin')).toBe('/users?q=user_abc%2F..%2Fadmin');
    expect(searchTarget('   ')).toBeNull();
  });
});

describe('safeNext', () => {
  it('keeps same-origin paths', () => {
    expect(safeNext('/users/user_1?tab=sync')).toBe('/users/user_1?tab=sync');
  });

  it('refuses anything that could leave the site or loop back to sign-in', () => {
    for (const next of [null, '', 'https://evil.example', '//evil.example', '/\\evil.example', '/sign-in']) {
      expect(safeNext(next)).toBe('/status');
    }
  });
});
