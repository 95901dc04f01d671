import { useId } from 'react';
import type { UserHealth } from '../../api/types';
import { RawValue } from '../../components/RawValue/RawValue';
import { formatRaw, formatTtl } from '../../format';

/** Every key the health read looked at, with its TTL in words and its value exactly as stored. */
export function RawValues({ keys }: { keys: UserHealth['keys'] }) {
  const id = useId();
  return (
    <section className="card panel" aria-labelledby={id}>
      <h2 id={id}>Raw Redis values</h2>
      {keys.length === 0 ? (
        <p className="panel-note">No keys were read for this user.</p>
      ) : (
        <ul className="raw-keys">
          {keys.map((entry) => (
            <li key={entry.key} className="raw-key">
              <div className="raw-key-heading">
                <code className="raw-key-name">{entry.key}</code>
                <span className={entry.exists ? 'badge badge-neutral' : 'badge badge-warning'}>
                  <span className="visually-hidden">TTL: </span>
                  {formatTtl(entry.exists ? entry.ttl : -2)}
                </span>
              </div>
              {entry.exists ? (
                <RawValue>{formatRaw(entry.raw)}</RawValue>
              ) : (
                <p className="muted raw-missing">The key does not exist.</p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
