import { formatDateTime, formatRelative, type Moment, toDate } from '../../format';

interface DateTimeProps {
  at: Moment | null | undefined;
  /** "3 hours ago" instead of the date (the date is then on hover) */
  relative?: boolean;
  /** what hovering shows; default the exact moment as sent (ISO text or epoch figure) */
  raw?: string;
  /** shown when there is no moment at all */
  none?: string;
}

/** A moment on a page, read the one way every page reads it, the exact value on hover. */
export function DateTime({ at, relative = false, raw, none = 'no date' }: DateTimeProps) {
  const date = toDate(at);
  if (!date) return <>{formatDateTime(at, none)}</>;
  const exact = raw ?? (at instanceof Date ? date.toISOString() : String(at));
  return (
    <time dateTime={date.toISOString()} title={relative ? `${formatDateTime(date)} (${exact})` : exact}>
      {relative ? formatRelative(date) : formatDateTime(date)}
    </time>
  );
}
