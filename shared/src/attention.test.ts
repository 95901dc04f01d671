import { describe, expect, it } from 'vitest';
import { pendingWords } from './alert-context';
import { foldText, isErrorLevelCustomerCode, searchWords } from './attention';

describe('people search words', () => {
  it('ignores case and accents, and letters Unicode does not decompose', () => {
    expect(foldText('Wiśniewski')).toBe(foldText('WISNIEWSKI'));
    expect(foldText('Łukasz Øster Straße')).toBe('lukasz oster strasse');
    expect(searchWords('Chloé Weber <chloe.weber@initech.example>')).toEqual([
      'chloe',
      'weber',
      'chloe',
      'weber',
      'initech',
      'example',
    ]);
  });
});

describe('Needs attention', () => {
  it('lists warnings out of "Needs attention"', () => {
    expect(isErrorLevelCustomerCode('MAPPING_MISSING')).toBe(true);
    expect(isErrorLevelCustomerCode('NO_TTL')).toBe(false);
    expect(isErrorLevelCustomerCode('NO_STRIPE_CUSTOMER')).toBe(false);
  });
});

describe('a pending alert in words', () => {
  it('says how far into the "for" duration the breach is, on the side it breaches', () => {
    expect(pendingWords('<', 0, 120_000, 300_000)).toBe(
      'below the threshold for 2 of the 5 minutes before it fires',
    );
    expect(pendingWords('>', 0, 30_000, 300_000)).toBe(
      'above the threshold for 0.5 of the 5 minutes before it fires',
    );
  });
});
