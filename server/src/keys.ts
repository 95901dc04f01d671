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
  /** `SCAN MATCH` pattern for every key of a pattern, e.g. `prompt:*` (glob characters in it escaped) */
  scanPattern(pattern: keyof KeyPatterns): string;
  /**
   * One `SCAN MATCH` pattern for every key of several patterns, so one pass over the keyspace
   * finds them all (`prompt:*` and `session:*` → `[ps][re][os][ms][pi][to][:n]*`). It may match a
   * few other keys too; callers check each key against its pattern anyway.
   */
  scanPatternOfAll(patterns: readonly (keyof KeyPatterns)[]): string;
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

/**
 * A pattern split once at its placeholder: building a key is then a concatenation — scans build
 * hundreds of thousands — and a `$` in a value stays a `$` (String.replace would expand `$&`).
 */
function filler(pattern: string): (value: string) => string {
  const match = /\{[A-Za-z]+\}/.exec(pattern);
  if (!match) return () => pattern;
  const before = pattern.slice(0, match.index);
  const after = pattern.slice(match.index + match[0].length);
  return (value) => before + value + after;
}

const MARK = '\u0000';

/** Characters Redis' glob gives a meaning to, outside a `[...]` class and inside one. */
const GLOB_SPECIAL = new Set(['*', '?', '[', ']', '\\']);
const CLASS_SPECIAL = new Set([']', '\\', '^', '-']);
const escaped = (char: string, special: ReadonlySet<string>) => (special.has(char) ? `\\${char}` : char);
const escapedGlob = (text: string) => [...text].map((char) => escaped(char, GLOB_SPECIAL)).join('');

/**
 * A glob matching every key that starts with one of `prefixes`: the same character where they
 * agree, a class of theirs where they differ, then `*`. Redis matches bytes, so it stops at the
 * first character outside ASCII (matching more, never less).
 */
export function globOfPrefixes(prefixes: readonly string[]): string {
  const shortest = prefixes.length === 0 ? 0 : Math.min(...prefixes.map((prefix) => prefix.length));
  let glob = '';
  for (let at = 0; at < shortest; at++) {
    const chars = [...new Set(prefixes.map((prefix) => prefix.charAt(at)))];
    if (chars.some((char) => char.charCodeAt(0) > 0x7f)) break;
    glob +=
      chars.length === 1
        ? escaped(chars[0] as string, GLOB_SPECIAL)
        : `[${chars.map((char) => escaped(char, CLASS_SPECIAL)).join('')}]`;
  }
  return `${glob}*`;
}

/**
 * The text before and after the placeholder of the pattern behind `build` (e.g. `keys.prompt` →
 * `['prompt:', '']`), for Lua scripts that build or take apart key names inside Redis.
 */
export function aroundPlaceholder(build: (value: string) => string): [string, string] {
  const text = build(MARK);
  const at = text.indexOf(MARK);
  return [text.slice(0, at), text.slice(at + MARK.length)];
}

/**
 * Takes key names apart again: `keys.user` → `user:{id}` → the id, or null for a key of another
 * kind. Made once per pattern: scans run it on every key.
 */
export function valueOfKey(build: (value: string) => string): (key: string) => string | null {
  const [before, after] = aroundPlaceholder(build);
  return (key) =>
    key.startsWith(before) && key.endsWith(after) && key.length > before.length + after.length
      ? key.slice(before.length, key.length - after.length)
      : null;
}

/** A key pattern (`prompt:{sessionId}`) taken apart the same way. */
export const valueOfPatternKey = (pattern: string) => valueOfKey(filler(pattern));

/** Emails are case-insensitive; the app lowercases them before building `email:` keys. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export function createKeys(patterns: KeyPatterns, ownPrefix: string): Keys {
  const email = filler(patterns.email);
  const around = (pattern: keyof KeyPatterns) => aroundPlaceholder(filler(patterns[pattern]));
  const scanPattern = (pattern: keyof KeyPatterns) => {
    const [before, after] = around(pattern);
    return `${escapedGlob(before)}*${escapedGlob(after)}`;
  };
  return {
    user: filler(patterns.user),
    email: (address) => email(normalizeEmail(address)),
    customer: filler(patterns.customer),
    subscription: filler(patterns.subscription),
    prompt: filler(patterns.prompt),
    session: filler(patterns.session),
    webhook: filler(patterns.webhook),
    scanPattern,
    scanPatternOfAll: (names) =>
      names.length === 1
        ? scanPattern(names[0] as keyof KeyPatterns)
        : globOfPrefixes(names.map((name) => around(name)[0])),
    legacy: {
      user: (userId) => `stripe:user:${userId}`,
      customer: (customerId) => `stripe:customer:${customerId}`,
      email: (email) => `stripe:customer:email:${normalizeEmail(email)}`,
      subscription: (subscriptionId) => `stripe:subscription:${subscriptionId}`,
    },
    own: (name) => `${ownPrefix}${name}`,
  };
}

/**
 * Names of Cache Doctor's own keys (under `own()`; SPEC §1.3), so each is spelled in one place.
 * Keys with an id in them are built by their owner from the prefix named here.
 */
export const OWN_KEYS = {
  /** the latest health sweep's out-of-sync share, for the sync failure rate (JSON) */
  lastSweep: 'metrics:last-sweep',
  /** the latest session sweep's figures, for the webhook metrics' source (JSON) */
  lastSessionSweep: 'metrics:last-session-sweep',
  /** every job's id by start time (sorted set); a job's own keys are `job` + id [+ `:` + part] */
  jobIndex: 'jobs:index',
  job: 'jobs:',
  /** the audit log: one sorted set of ids, one JSON value per entry under `auditEntry` + id */
  auditIndex: 'audit:index',
  auditEntry: 'audit:entry:',
  /** with a separate own Redis: entries whose writes may not have landed yet (`auditPending` + id
   * holds the entry, `auditPendingIndex` lists the ids); never shown until settled */
  auditPendingIndex: 'audit:pending',
  auditPending: 'audit:pending:',
  /** in the app's Redis, written in the same MULTI as the writes of audit entry `applied` + id */
  appliedMarker: 'applied:',
  /** one session's generation lock: `generateLock` + session id */
  generateLock: 'lock:generate:',
  /** only one scheduled session sweep at a time */
  scheduledSessionSweepLock: 'lock:scheduled-session-sweep',
  /** the rate of session repairs a session-sweep job makes, over every worker */
  sessionRepairRate: 'ratelimit:session-repair',
  /** one commit's deadline guard (`commitDeadline` + token), gone when it commits or expires */
  commitDeadline: 'commit:',
  /** written once per Redis: when it is missing again, the audit history beside it was lost */
  storeMarker: 'store:marker',
  /** held while deciding whether to start a scheduled health sweep */
  scheduledHealthSweepLock: 'lock:scheduled-health-sweep',
  /** the id of the latest scheduled health sweep job, so a new one waits until it ends */
  scheduledHealthSweepJob: 'jobs:scheduled-health-sweep',
  /** one staff member's mutation rate: `mutationRate` + a digest of the staff id */
  mutationRate: 'ratelimit:mutations:',
  /** the rate of generation API reads, over every process */
  generationRequestRate: 'ratelimit:generation-requests',
  /** the Stripe and Clerk request logs every process shares (SPEC §4 limits) */
  stripeRequestRate: 'ratelimit:stripe-requests',
  clerkRequestRate: 'ratelimit:clerk-requests',
  /** one generation file's last lookup (JSON): `generationFile` + file id */
  generationFile: 'generation:file:',
} as const;

/**
 * Names of Cache Doctor's own keys for metric samples and alerts (under `own()`; SPEC §1.3, §5).
 */
export const METRICS_KEYS = {
  /** one metric's samples at one tier: `series` + tier + `:` + metric name */
  series: 'metrics:series:',
  /** the latest sample of every metric (JSON) */
  latest: 'metrics:latest',
  /** each metric's alert state: metric → JSON (hash) */
  alerts: 'metrics:alerts',
  /** alert notifications sent, newest first (list, trimmed) */
  alertsHistory: 'metrics:alerts:history',
  /** only one process samples at a time */
  samplerLock: 'metrics:sampler-lock',
} as const;

/**
 * Names of Cache Doctor's own keys for "Needs attention", the problems trend and people search
 * (under `own()`; SPEC §1.3). Written only when a sweep or bulk refresh ends.
 */
export const ATTENTION_KEYS = {
  /** the latest sweep's users with error-level problems (JSON) */
  latest: 'attention:latest',
  /** `userId code` → when the problem was first seen, kept across sweeps while it lasts */
  firstSeen: 'attention:first-seen',
  /** users a bulk refresh rewrote since the latest sweep: userId → ISO time */
  refreshed: 'attention:refreshed',
  /** one entry per sweep: users per problem (sorted set scored by the sweep's time) */
  history: 'attention:history',
  /** folded name and email words → user (sorted set, lexicographic prefix search) */
  peopleWords: 'people:words',
  /** userId → `{ email, name }` as the latest sweep saw them */
  people: 'people:rows',
  /** `peopleWords` and `people` while being rebuilt, renamed over them when complete */
  peopleWordsNext: 'people:words:next',
  peopleNext: 'people:rows:next',
} as const;

/**
 * Names of Cache Doctor's own keys for automatic repairs (under `own()`; SPEC §1.3, §3).
 */
export const POLICY_KEYS = {
  /** one policy's state, `state:` + name: a hash of mode, maxPerHour, minAgeMs, failuresInRow,
   * stoppedAt, stoppedReason (absent fields: the defaults), so each writer sets only its fields */
  state: 'policies:state:',
  /** set while "Pause all" holds: JSON `{ at, by }`; every process reads it before each action */
  paused: 'policies:paused',
  /** one policy's actions, `actions:` + name: sorted set scored by time (ms), JSON members */
  actions: 'policies:actions:',
  /** a dry run's list, `wouldDo:` + name: JSON `{ at, items }` */
  wouldDo: 'policies:would-do:',
  /** a policy's claim on one target and problem, `claim:` + name + `:` + target + `:` + code (SET NX) */
  claim: 'policies:claim:',
  /** what the latest scheduled session sweep found for the session policies (JSON) */
  sessionCandidates: 'policies:session-candidates',
  /** actions per `policy result`, since the store began (the Prometheus series) */
  counts: 'policies:counts',
  /** the same per hour, `hourly:` + the hour's start (ms), plus `policy would-do` (targets a dry run
   * listed first in that hour); kept 8 days, for the page's chart */
  hourly: 'policies:hourly:',
  /** one policy run at a time across every process */
  runLock: 'lock:policies-run',
} as const;
