import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDateTime,
  formatDuration,
  formatDurationMs,
  formatMoney,
  formatRelative,
  formatTime,
  formatTtl,
  plural,
} from './format';

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
    expect(formatDuration(9199 * 60)).toBe('6 d 9 h');
  });

  it('rounds fractions and never goes below zero', () => {
    expect(formatDuration(59.6)).toBe('1 min');
    expect(formatDuration(-3)).toBe('0 s');
  });

  it('reads milliseconds: under a second as ms, else in the same units', () => {
    expect(formatDurationMs(450)).toBe('450 ms');
    expect(formatDurationMs(65_000)).toBe('1 min 5 s');
  });
});

describe('formatTtl', () => {
  it("reads Redis' TTL figures", () => {
    expect(formatTtl(-1)).toBe('no expiry');
    expect(formatTtl(-2)).toBe('key does not exist');
    expect(formatTtl(86_400 + 7200)).toBe('1 d 2 h left');
  });
});

describe('dates', () => {
  const at = Date.UTC(2026, 11, 2, 14, 3, 10);
  const inLocale = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(undefined, options).format(new Date(at));

  it('reads ISO text, epoch milliseconds and Dates alike, in the reader’s locale', () => {
    const expected = inLocale({ dateStyle: 'medium', timeStyle: 'short' });
    expect(formatDateTime(new Date(at).toISOString())).toBe(expected);
    expect(formatDateTime(at)).toBe(expected);
    expect(formatDateTime(new Date(at))).toBe(expected);
    expect(formatDate(at)).toBe(inLocale({ dateStyle: 'medium' }));
    expect(formatTime(at)).toBe(inLocale({ timeStyle: 'medium' }));
    // the date is there, not only the time
    expect(formatDateTime(at)).toContain('2026');
  });

  it('shows text that is no time as it is, and says when there is none', () => {
    expect(formatDateTime('soon')).toBe('soon');
    expect(formatDateTime(null)).toBe('no date');
    expect(formatDateTime(undefined, 'never')).toBe('never');
    expect(formatDate('')).toBe('no date');
  });
});

describe('formatRelative', () => {
  const now = Date.UTC(2026, 11, 2, 14, 0, 0);
  const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

  it('names the largest whole unit, past or future', () => {
    expect(formatRelative(now - 3 * 3_600_000 - 59_000, now)).toBe(relative.format(-3, 'hour'));
    expect(formatRelative(now - 9199 * 60_000, now)).toBe(relative.format(-6, 'day'));
    expect(formatRelative(now + 5 * 60_000, now)).toBe(relative.format(5, 'minute'));
    expect(formatRelative(new Date(now - 86_400_000).toISOString(), now)).toBe(relative.format(-1, 'day'));
  });

  it('says "now" for the current moment and shows text that is no time as it is', () => {
    expect(formatRelative(now, now)).toBe(relative.format(0, 'second'));
    expect(formatRelative('later', now)).toBe('later');
  });
});

describe('plural', () => {
  it('is singular for exactly one, plural otherwise, with the count formatted', () => {
    expect(plural(1, 'user')).toBe('1 user');
    expect(plural(0, 'user')).toBe('0 users');
    expect(plural(1200, 'session')).toBe(`${(1200).toLocaleString()} sessions`);
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });
});
