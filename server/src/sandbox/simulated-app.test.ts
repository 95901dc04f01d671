import { describe, expect, it } from 'vitest';
import { CYCLE_MS, missShareAt } from './simulated-app';

describe("the demo's simulated app", () => {
  const minute = 60_000;
  const shares = Array.from({ length: CYCLE_MS / 1000 }, (_, s) => missShareAt(s * 1000));

  it('starts quiet: a hit rate above 0.9 from its first minute', () => {
    for (let s = 0; s < 3 * minute; s += 1000) expect(missShareAt(s)).toBeLessThan(0.1);
  });

  it('has short bursts of misses every few minutes and one spell longer than the 5-minute alert delay', () => {
    const burstSeconds = shares.filter((share) => share === 0.4).length;
    expect(burstSeconds).toBeGreaterThan(0);
    let longest = 0;
    let run = 0;
    for (const share of shares) {
      run = share > 0.05 ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    expect(longest * 1000).toBeGreaterThan(5 * minute);
    // and the cycle repeats
    expect(missShareAt(CYCLE_MS + 12 * minute)).toBe(missShareAt(12 * minute));
  });
});
