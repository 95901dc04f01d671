/**
 * The seeder's own deterministic randomness: mulberry32, a tiny 32-bit PRNG. The same seed gives
 * the same sequence on every platform, so a seeded dataset is reproducible byte for byte.
 */

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE62_LOWER_DIGITS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

export class Random {
  private state: number;

  constructor(seed: number) {
    // Mix the seed so that neighbouring seeds (1, 2, 3) start far apart.
    this.state = (Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** integer in [min, max], both inclusive */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** picks by relative weight: `weighted([['a', 3], ['b', 1]])` gives 'a' three times as often */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of choices) total += weight;
    let roll = this.next() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  /** Fisher–Yates, in place, O(n) */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = items[i] as T;
      items[i] = items[j] as T;
      items[j] = a;
    }
    return items;
  }

  /**
   * Built from char codes in one go (`+=` would leave a rope of cons-strings, ~30 bytes a char),
   * several characters per PRNG draw: ids are most of the seeder's random numbers.
   */
  private chars(alphabet: string, length: number): string {
    const base = alphabet.length;
    const perDraw = Math.floor(32 / Math.log2(base));
    const codes = new Array<number>(length);
    let bits = 0;
    let left = 0;
    for (let i = 0; i < length; i++) {
      if (left === 0) {
        bits = Math.floor(this.next() * 4294967296);
        left = perDraw;
      }
      codes[i] = alphabet.charCodeAt(bits % base);
      bits = Math.floor(bits / base);
      left--;
    }
    return String.fromCharCode.apply(null, codes);
  }

  /** `prefix` followed by `length` characters of [A-Za-z0-9], the shape every id here must have */
  id(prefix: string, length: number): string {
    return prefix + this.chars(BASE62, length);
  }

  lowerId(prefix: string, length: number): string {
    return prefix + this.chars(BASE62_LOWER_DIGITS, length);
  }

  /** a version-4 UUID, as generation APIs commonly use for job ids */
  uuid(): string {
    const h = this.chars(HEX, 32);
    const variant = '89ab'[this.int(0, 3)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
  }

  upperAlnum(length: number): string {
    return this.chars('ABCDEF0123456789', length);
  }
}

/**
 * Id shapes of the real services (lengths as they appear in the wild), all [A-Za-z0-9] after the
 * prefix so they pass shared/src/ids.ts.
 */
export const ids = {
  clerkUser: (r: Random) => r.id('user_2', 26),
  clerkEmail: (r: Random) => r.id('idn_2', 26),
  customer: (r: Random) => r.id('cus_', 14),
  subscription: (r: Random) => r.id('sub_1', 23),
  subscriptionItem: (r: Random) => r.id('si_', 14),
  price: (r: Random) => r.id('price_1', 23),
  product: (r: Random) => r.id('prod_', 14),
  paymentMethod: (r: Random) => r.id('pm_1', 23),
  paymentIntent: (r: Random) => r.id('pi_3', 23),
  event: (r: Random) => r.id('evt_1', 23),
  checkoutSession: (r: Random, livemode: boolean) => r.id(livemode ? 'cs_live_a1' : 'cs_test_a1', 56),
};
