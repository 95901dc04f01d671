import { describe, expect, it } from 'vitest';
import { formatDuration, formatMoney } from './format';

describe('formatMoney', () => {
  it("divides Stripe's smallest unit by the currency's own decimals", () => {
    expect(formatMoney(1999, 'usd')).toBe(
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' }).format(19.99),
    );
    expect(formatMoney(500, 'jpy')).toBe(
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'JPY' }).format(500),
    );
  });

  it('says so when the amount is unknown, and shows an unknown currency raw', () => {
    expect(formatMoney(null, 'usd')).toBe('unknown');
    expect(formatMoney(1200, 'xx1')).toBe('1200 xx1');
  });
});

describe('formatDuration', () => {
  it('keeps the two largest units', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(2 * 86_400 + 3 * 3600 + 120)).toBe('2 d 3 h');
    expect(formatDuration(3600 + 5 * 60)).toBe('1 h 5 min');
  });
});
