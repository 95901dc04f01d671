import { z } from 'zod';

/**
 * The customer problems that are warnings (SPEC §2): nothing is broken for the customer. Every
 * other customer code is an error, and errors are what "Needs attention" lists.
 */
export const CUSTOMER_WARNING_CODES: readonly string[] = ['NO_TTL', 'LEGACY_KEYS', 'NO_STRIPE_CUSTOMER'];

export const isErrorLevelCustomerCode = (code: string) => !CUSTOMER_WARNING_CODES.includes(code);

/**
 * The ranges of the problems trend (the Metrics page's "Problems over time",
 * `GET /api/attention/trend?range=`), the default first, and how far back each reaches.
 */
export const TREND_RANGES = ['7d', '30d'] as const;
export const trendRangeSchema = z.enum(TREND_RANGES);
export type TrendRange = z.infer<typeof trendRangeSchema>;
export const TREND_RANGE_MS: Record<TrendRange, number> = { '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

/**
 * Names and emails compared the way people type them: case and accents ignored ("Wisniewski"
 * finds "Wiśniewski"), letters the decomposition leaves alone (ł, ø, ß) mapped by hand.
 */
const UNDECOMPOSED: Record<string, string> = { ł: 'l', ø: 'o', ß: 'ss', đ: 'd', æ: 'ae', œ: 'oe', ı: 'i' };
export function foldText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[łøßđæœı]/g, (char) => UNDECOMPOSED[char] ?? char);
}

/** The words of a name or email for prefix search: folded, split at anything not a letter or digit. */
export const searchWords = (text: string): string[] =>
  foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
