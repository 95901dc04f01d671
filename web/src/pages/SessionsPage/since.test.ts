import { describe, expect, it } from 'vitest';
import { defaultSince, fromLocalInput, toLocalInput } from './since';

describe('since filter', () => {
  it('defaults to seven days back, to the minute, so it shows exactly in the input', () => {
    const now = Date.parse('2026-02-08T12:34:56.789Z');
    expect(defaultSince(now)).toBe('2026-02-01T12:34:00.000Z');
  });

  it('round-trips between the URL (ISO) and the local-time input', () => {
    const iso = '2026-01-31T09:05:00.000Z';
    const local = toLocalInput(iso);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromLocalInput(local)).toBe(iso);
  });

  it('treats an empty or broken value as no date', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('not a date')).toBeNull();
    expect(toLocalInput('yesterday')).toBe('');
  });
});
