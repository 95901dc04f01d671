/**
 * Structured logs: one JSON object per line, secrets redacted before anything is written, so a
 * log shipped to a third party never holds a credential even when an error message quotes one.
 */

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  msg: string;
  [field: string]: unknown;
}

export type Logger = (level: LogLevel, entry: LogEntry) => void;

export const REDACTED = '[redacted]';

/** Field names whose values are credentials whatever they hold. */
const SECRET_FIELD = /authorization|cookie|token|secret|password|api[-_]?key|jwt[-_]?key|^key$/i;

/**
 * Credentials that can turn up inside free text (error messages, URLs): Stripe and Clerk keys,
 * bearer tokens, JWTs and PEM blocks.
 */
const SECRET_TEXT: readonly RegExp[] = [
  /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g,
  /\b(?:sk|rk|pk|whsec)_(?:test|live)_[A-Za-z0-9_]+/g,
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  /\b(Bearer|Basic)\s+[^\s"',;]+/gi,
];

/**
 * Any of SECRET_TEXT, in one case-insensitive pass: most text holds none, and one test costs a
 * tenth of the four replacements (every request writes a log line, so this is on the hot path).
 */
const MAY_HOLD_SECRET = new RegExp(SECRET_TEXT.map((pattern) => `(?:${pattern.source})`).join('|'), 'i');

export function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return SECRET_TEXT.reduce(
    (out, pattern) =>
      out.replace(pattern, (_match, scheme?: string) =>
        typeof scheme === 'string' && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED,
      ),
    text,
  );
}

/** A copy of `value` with secret fields and secret-looking text replaced; cycles are cut. */
export function redact(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, seen));
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  return Object.fromEntries(
    Object.entries(value).map(([field, inner]) => [
      field,
      SECRET_FIELD.test(field) && inner !== null && inner !== undefined ? REDACTED : redact(inner, seen),
    ]),
  );
}

/** Errors on stderr, so whoever keeps only a process' errors (a test runner, say) still sees them. */
const standardStreams = (line: string, level: LogLevel) =>
  (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);

/** A logger writing redacted JSON lines; to the standard streams in production, to a list in tests. */
export function createLogger(
  write: (line: string, level: LogLevel) => void = standardStreams,
  now: () => Date = () => new Date(),
): Logger {
  return (level, entry) => {
    write(JSON.stringify({ time: now().toISOString(), level, ...(redact(entry) as LogEntry) }), level);
  };
}
