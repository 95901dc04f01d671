import type { KeyPatterns } from './config';

/**
 * Key names built from the configured patterns (SPEC §1, §7). Callers pass only ids that were
 * validated at the edge, so a key can never be steered outside its pattern.
 */
export interface Keys {
  user(userId: string): string;
  email(email: string): string;
  customer(customerId: string): string;
  subscription(subscriptionId: string): string;
  prompt(sessionId: string): string;
  session(sessionId: string): string;
  webhook(sessionId: string): string;
  /** `SCAN MATCH` pattern for every key of a pattern, e.g. `prompt:*` */
  scanPattern(pattern: keyof KeyPatterns): string;
  /** Older layout keys that may linger (SPEC §1.1); never written, only reported. */
  legacy: {
    user(userId: string): string;
    customer(customerId: string): string;
    email(email: string): string;
    subscription(subscriptionId: string): string;
  };
  /** Cache Doctor's own data, never mixed with the app's keys (SPEC §1.3). */
  own(name: string): string;
}

const fill = (pattern: string, value: string) => pattern.replace(/\{[A-Za-z]+\}/, value);

/** Emails are case-insensitive; the app lowercases them before building `email:` keys. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export function createKeys(patterns: KeyPatterns, ownPrefix: string): Keys {
  return {
    user: (userId) => fill(patterns.user, userId),
    email: (email) => fill(patterns.email, normalizeEmail(email)),
    customer: (customerId) => fill(patterns.customer, customerId),
    subscription: (subscriptionId) => fill(patterns.subscription, subscriptionId),
    prompt: (sessionId) => fill(patterns.prompt, sessionId),
    session: (sessionId) => fill(patterns.session, sessionId),
    webhook: (sessionId) => fill(patterns.webhook, sessionId),
    scanPattern: (pattern) => fill(patterns[pattern], '*'),
    legacy: {
      user: (userId) => `stripe:user:${userId}`,
      customer: (customerId) => `stripe:customer:${customerId}`,
      email: (email) => `stripe:customer:email:${normalizeEmail(email)}`,
      subscription: (subscriptionId) => `stripe:subscription:${subscriptionId}`,
    },
    own: (name) => `${ownPrefix}${name}`,
  };
}
