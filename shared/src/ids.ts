import { z } from 'zod';

/** SPEC §6: ids are validated before any I/O; anything else is 400 INVALID_ID. */
const MAX_ID_LENGTH = 255;

export const USER_ID_PATTERN = /^user_[A-Za-z0-9]+$/;
export const CUSTOMER_ID_PATTERN = /^cus_[A-Za-z0-9]+$/;
export const SESSION_ID_PATTERN = /^cs_(test|live)_[A-Za-z0-9]+$/;
/** Stripe event ids (`evt_...`): search leads from one to the checkout session it concerns. */
export const EVENT_ID_PATTERN = /^evt_[A-Za-z0-9]{1,250}$/;

const idSchema = (pattern: RegExp, what: string) =>
  z
    .string()
    .max(MAX_ID_LENGTH, `${what} is longer than ${MAX_ID_LENGTH} characters`)
    .regex(pattern, `not a valid ${what}`);

export const userIdSchema = idSchema(USER_ID_PATTERN, 'Clerk user id (user_...)');
export const customerIdSchema = idSchema(CUSTOMER_ID_PATTERN, 'Stripe customer id (cus_...)');
export const sessionIdSchema = idSchema(
  SESSION_ID_PATTERN,
  'Stripe checkout session id (cs_test_... or cs_live_...)',
);

export type IdKind = 'user' | 'customer' | 'session';

/** Which kind of id a string is, or null when it is none of them. */
export function idKind(value: string): IdKind | null {
  if (value.length > MAX_ID_LENGTH) return null;
  if (USER_ID_PATTERN.test(value)) return 'user';
  if (CUSTOMER_ID_PATTERN.test(value)) return 'customer';
  if (SESSION_ID_PATTERN.test(value)) return 'session';
  return null;
}

/** A whole email address (not part of one): search treats it as an exact lookup, not free text. */
export function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
