import { type ReactNode, useId } from 'react';
import { Link } from 'react-router';
import type { TimelineItem } from '../../api/types';
import { paths } from '../../paths';
import { DateTime } from '../DateTime/DateTime';
import { ErrorMessage } from '../ErrorMessage/ErrorMessage';
import { Loading } from '../Loading/Loading';
import { OpenInStripe } from '../OpenIn/OpenIn';
import { StatusBadge } from '../StatusBadge/StatusBadge';

const SOURCES: Record<TimelineItem['source'], string> = {
  stripe: 'Stripe',
  cache: 'Cache',
  audit: 'Cache Doctor',
};

/** Where an item leads: our own page when there is one, else Stripe's dashboard. */
function ItemLink({ item, here }: { item: TimelineItem; here?: string | undefined }): ReactNode {
  const ref = item.ref;
  if (!ref || ref.id === here) return null;
  if (ref.kind === 'session') return <Link to={paths.session(ref.id)}>Open session</Link>;
  if (ref.kind === 'audit')
    return <Link to={`${paths.audit}?${new URLSearchParams({ target: here ?? '' })}`}>Audit log</Link>;
  return <OpenInStripe kind={ref.kind} id={ref.id} />;
}

interface TimelineProps {
  /** the page's own id: items about it need no link to it */
  here?: string;
  data: { items: TimelineItem[] } | undefined;
  isPending: boolean;
  error: Error | null;
  onRetry: () => void;
  /** what the list covers, in words, under the heading */
  covers: string;
}

/** "Timeline": what happened, newest first, each item with its time, words, source and a link. */
export function Timeline({ here, data, isPending, error, onRetry, covers }: TimelineProps) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Timeline</h2>
      </div>
      <p className="muted panel-note">{covers}</p>
      {isPending && !error ? (
        <Loading label="Reading the timeline from Stripe, the cache and the audit log…" />
      ) : null}
      {error ? <ErrorMessage title="Could not read the timeline" error={error} onRetry={onRetry} /> : null}
      {data && data.items.length === 0 ? <p>Nothing has happened yet.</p> : null}
      {data && data.items.length > 0 ? (
        <ol className="timeline">
          {data.items.map((item) => (
            <li key={`${item.at} ${item.kind} ${item.ref?.id ?? ''} ${item.title}`} className="timeline-item">
              <DateTime at={item.at} />
              <span className="timeline-title">{item.title}</span>
              <StatusBadge tone={item.source === 'audit' ? 'info' : 'neutral'}>
                {SOURCES[item.source]}
              </StatusBadge>
              <span className="timeline-link">
                <ItemLink item={item} here={here} />
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
