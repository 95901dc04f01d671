import { type ReactNode, useId } from 'react';
import type { Status } from '../../api/types';
import { EmptyState } from '../../components/EmptyState/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { Page } from '../../components/Page/Page';
import { type BadgeTone, StatusBadge } from '../../components/StatusBadge/StatusBadge';
import { formatDateTime, formatMemory, formatMs, formatTime } from '../../format';
import { STATUS_REFRESH_MS, useStatus } from '../../hooks/useStatus';

interface DependencyCardProps {
  name: string;
  ok: boolean;
  badge?: { tone: BadgeTone; label: string };
  error?: string | undefined;
  /** A sentence under the facts, e.g. what an unconfigured dependency means. */
  note?: ReactNode;
  children?: ReactNode;
}

function DependencyCard({ name, ok, badge, error, note, children }: DependencyCardProps) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>{name}</h2>
        {badge ? (
          <StatusBadge tone={badge.tone}>{badge.label}</StatusBadge>
        ) : (
          <StatusBadge tone={ok ? 'ok' : 'danger'}>{ok ? 'OK' : 'Down'}</StatusBadge>
        )}
      </div>
      {children ? <dl className="facts">{children}</dl> : null}
      {note ? <p className="card-note muted">{note}</p> : null}
      {!ok && error ? (
        <p className="notice notice-danger card-error">
          <strong>Error:</strong> {error}
        </p>
      ) : null}
    </section>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Dependencies({ status }: { status: Status }) {
  const { redis, stripe, clerk, generation } = status;
  return (
    <div className="card-grid">
      <DependencyCard name="Redis" ok={redis.ok} error={redis.error}>
        <Fact term="Latency">{formatMs(redis.latencyMs)}</Fact>
        <Fact term="Memory">{formatMemory(redis.usedMemory, redis.maxMemory)}</Fact>
        <Fact term="Version">{redis.version ?? 'unknown'}</Fact>
      </DependencyCard>
      <DependencyCard name="Stripe" ok={stripe.ok} error={stripe.error}>
        <Fact term="Mode">{stripe.mode === 'live' ? 'Live' : 'Test'}</Fact>
        <Fact term="Latency">{formatMs(stripe.latencyMs)}</Fact>
      </DependencyCard>
      <DependencyCard name="Clerk" ok={clerk.ok} error={clerk.error}>
        <Fact term="Latency">{formatMs(clerk.latencyMs)}</Fact>
      </DependencyCard>
      <DependencyCard
        name="Generation API"
        ok={generation.ok}
        error={generation.error}
        badge={generation.configured ? undefined : { tone: 'neutral', label: 'Not configured' }}
        note={
          generation.configured ? null : (
            <>
              Sessions can be fixed, but "Generate video" is unavailable until <code>GENERATION_API_URL</code>{' '}
              is set.
            </>
          )
        }
      >
        {generation.configured ? <Fact term="Latency">{formatMs(generation.latencyMs)}</Fact> : null}
      </DependencyCard>
      <OwnStoreCard store={status.ownStore} server={status.ownRedis} />
    </div>
  );
}

const PERSISTENCE: Record<string, string> = {
  aof: 'Append-only file',
  rdb: 'Snapshots (RDB)',
  'aof+rdb': 'Append-only file and snapshots',
  none: 'None',
};

/**
 * Where the audit log, metrics, jobs and policies live (SPEC §7): a Redis that evicts or keeps
 * nothing can lose them, and a lost history is said in words, never shown as an empty log. With
 * `OWN_REDIS_URL` another server than the cache's, `server` is that Redis' own check.
 */
function OwnStoreCard({
  store,
  server,
}: {
  store: Status['ownStore'] | undefined;
  server: Status['ownRedis'];
}) {
  if (!store && !server) return null;
  const down = server ? !server.ok : false;
  const badge: DependencyCardProps['badge'] = down
    ? { tone: 'danger', label: 'Down' }
    : store?.ok
      ? { tone: 'ok', label: 'Kept' }
      : { tone: 'warning', label: 'At risk' };
  return (
    <DependencyCard
      name="Cache Doctor's own data"
      ok={!down && (store?.ok ?? false)}
      badge={badge}
      error={server?.error}
    >
      {server ? <Fact term="Redis">Its own server (OWN_REDIS_URL)</Fact> : null}
      {server?.ok ? <Fact term="Latency">{formatMs(server.latencyMs)}</Fact> : null}
      {store ? (
        <>
          <Fact term="Eviction policy">{store.evictionPolicy ?? 'unknown'}</Fact>
          <Fact term="Persistence">
            {store.persistence === null ? 'unknown' : (PERSISTENCE[store.persistence] ?? store.persistence)}
          </Fact>
          <Fact term="Audit history">
            {store.historyLost ? `lost at ${formatDateTime(store.historyLost.at)}` : 'complete'}
          </Fact>
        </>
      ) : null}
    </DependencyCard>
  );
}

function OwnStoreWarnings({ store }: { store: Status['ownStore'] | undefined }) {
  if (!store || store.warnings.length === 0) return null;
  return (
    <div className="notice notice-danger" role="status">
      {store.warnings.map((warning) => (
        <p key={warning}>
          <strong>Warning:</strong> {warning}
        </p>
      ))}
    </div>
  );
}

function summary(status: Status): string {
  const deps = [
    status.redis,
    ...(status.ownRedis ? [status.ownRedis] : []),
    status.stripe,
    status.clerk,
    ...(status.generation.configured ? [status.generation] : []),
  ];
  const down = deps.filter((dep) => !dep.ok).length;
  if (down === 0) return 'Every dependency is answering.';
  return down === 1 ? '1 dependency is down.' : `${down} dependencies are down.`;
}

export function StatusPage() {
  const { data, error, isPending, isFetching, dataUpdatedAt, refetch } = useStatus();
  const retry = () => void refetch();

  return (
    <Page
      heading="Status"
      actions={
        <button type="button" className="button" onClick={retry} disabled={isFetching}>
          {isFetching ? 'Checking…' : 'Check now'}
        </button>
      }
    >
      {isPending && !error ? <Loading label="Checking Redis, Stripe, Clerk and the generation API…" /> : null}
      {error && !data ? (
        <ErrorMessage title="Could not load the status" error={error} onRetry={retry} />
      ) : null}
      {data ? (
        <>
          {/* a failed check never leaves the previous verdict standing as if it were current */}
          <p className="lede">
            {error ? 'Not known now: the latest check failed.' : summary(data)}{' '}
            <span className="muted">
              {error ? 'The cards show the check' : 'Checked'} at {formatTime(dataUpdatedAt)}; refreshes every{' '}
              {STATUS_REFRESH_MS / 1000} s.
            </span>
          </p>
          {error ? (
            <ErrorMessage title="The latest check failed; showing the previous result" error={error} />
          ) : null}
          {data.demo ? (
            <p className="notice notice-info">
              Demo mode: Redis, Stripe, Clerk and the generation API are local sandboxes seeded with sample
              data. Nothing here touches real customers.
            </p>
          ) : null}
          <OwnStoreWarnings store={data.ownStore} />
          <Dependencies status={data} />
        </>
      ) : null}
      {!data && !error && !isPending ? (
        <EmptyState title="No status yet">
          <p>The server has not reported on its dependencies yet. Use "Check now" to ask again.</p>
        </EmptyState>
      ) : null}
    </Page>
  );
}
