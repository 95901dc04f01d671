import type { BadgeTone } from '../../components/StatusBadge/StatusBadge';

export function severityTone(severity: string): BadgeTone {
  if (severity === 'error') return 'danger';
  if (severity === 'warning') return 'warning';
  return 'ok';
}

/** A field of a parsed record, when it is text. */
export function textField(value: unknown, field: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const item = (value as Record<string, unknown>)[field];
  return typeof item === 'string' ? item : null;
}
