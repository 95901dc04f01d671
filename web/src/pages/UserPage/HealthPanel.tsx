import { useId } from 'react';
import type { UserHealth } from '../../api/types';
import { CopyId } from '../../components/CopyButton/CopyButton';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { StatusBadge } from '../../components/StatusBadge/StatusBadge';
import { ProblemList } from './ProblemList';

interface HealthPanelProps {
  health: UserHealth | undefined;
  isPending: boolean;
  error: Error | null;
  onRetry: () => void;
}

/** SPEC §9: "Cache health", Healthy / Problems, every problem's message. From Redis alone. */
export function HealthPanel({ health, isPending, error, onRetry }: HealthPanelProps) {
  const id = useId();
  return (
    <section className="card panel" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Cache health</h2>
        {health ? (
          <StatusBadge tone={health.healthy ? 'ok' : 'danger'}>
            {health.healthy ? 'Healthy' : 'Problems'}
          </StatusBadge>
        ) : null}
      </div>
      {isPending && !error ? <Loading label="Reading the cache…" /> : null}
      {error && !health ? (
        <ErrorMessage title="Could not read the cache health" error={error} onRetry={onRetry} />
      ) : null}
      {health ? (
        <>
          <p className="muted panel-note">
            {health.customerId ? (
              <>
                Mapped to Stripe customer <CopyId id={health.customerId} kind="customer" />
              </>
            ) : (
              'No Stripe customer is mapped to this user in the cache.'
            )}
          </p>
          <ProblemList
            problems={health.problems}
            none="The mapping, customer record and subscription records are present and well-formed."
          />
        </>
      ) : null}
    </section>
  );
}
