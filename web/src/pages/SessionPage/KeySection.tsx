import { type ReactNode, useId } from 'react';
import type { KeyView } from '../../api/types';
import { RawValue } from '../../components/RawValue/RawValue';
import { formatRaw, formatTtl } from '../../format';

export interface Fact {
  term: string;
  value: ReactNode;
}

interface KeySectionProps {
  /** SPEC §9 section names: "Webhook status", "Session lookup", "Prompt" */
  title: string;
  /** the key this section reads, or null when its data lives in another key (session-only layout) */
  keyView: KeyView | null;
  /** where the data lives when `keyView` is null */
  storedIn?: ReactNode;
  exists: boolean;
  ttl: number;
  facts: Fact[];
  /** the raw value to show; omitted when another section already shows it */
  raw?: string | null;
}

/** One record of the session: where it lives, whether it exists, its TTL and its value. */
export function KeySection({ title, keyView, storedIn, exists, ttl, facts, raw }: KeySectionProps) {
  const id = useId();
  return (
    <section className="card panel" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>{title}</h2>
      </div>
      <dl className="facts">
        <div>
          <dt>Key</dt>
          <dd>{keyView ? <code>{keyView.key}</code> : storedIn}</dd>
        </div>
        <div>
          <dt>Exists</dt>
          <dd>{exists ? 'Yes' : 'No'}</dd>
        </div>
        <div>
          <dt>TTL</dt>
          <dd>{formatTtl(ttl)}</dd>
        </div>
        {facts.map((fact) => (
          <div key={fact.term}>
            <dt>{fact.term}</dt>
            <dd>{fact.value}</dd>
          </div>
        ))}
      </dl>
      {raw !== undefined && exists ? (
        <>
          <p className="plan-label">Value as stored</p>
          <RawValue>{formatRaw(raw)}</RawValue>
        </>
      ) : null}
    </section>
  );
}
