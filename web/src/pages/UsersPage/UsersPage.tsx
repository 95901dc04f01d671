import { useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import { CopyId } from '../../components/CopyButton/CopyButton';
import { DataTable } from '../../components/DataTable/DataTable';
import { EmptyState } from '../../components/EmptyState/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { Page } from '../../components/Page/Page';
import { StatusBadge } from '../../components/StatusBadge/StatusBadge';
import { UserLabel } from '../../components/UserLabel/UserLabel';
import { useRecentLookups } from '../../hooks/useRecentLookups';
import { useSearch } from '../../hooks/useSearch';
import { resultPath } from '../../paths';
import { NeedsAttention } from './NeedsAttention';

const KIND_LABELS: Record<string, string> = {
  user: 'User',
  customer: 'Stripe customer',
  session: 'Checkout session',
};

function Results({ query }: { query: string }) {
  const search = useSearch(query);
  const id = useId();
  if (search.isPending) return <Loading label={`Searching for “${query}”…`} />;
  if (search.isError)
    return (
      <ErrorMessage title="Could not search" error={search.error} onRetry={() => void search.refetch()} />
    );
  const { results } = search.data;
  if (results.length === 0) {
    return (
      <EmptyState title="No matches">
        <p>
          Nothing matched <span className="query">{query}</span>. Try part of an email, a name, or a{' '}
          <code>user_</code>, <code>cus_</code> or <code>cs_</code> id.
        </p>
      </EmptyState>
    );
  }
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {results.length === 1 ? '1 result' : `${results.length} results`} for{' '}
        <span className="query">{query}</span>
      </h2>
      <DataTable
        columns={['Kind', 'Match', 'Id', 'Cache health']}
        rows={results}
        rowKey={(result) => `${result.kind}:${result.id}`}
        renderRow={(result) => {
          const to = resultPath(result);
          return (
            <tr>
              <td>{KIND_LABELS[result.kind] ?? result.kind}</td>
              <td>{to ? <Link to={to}>{result.label}</Link> : result.label}</td>
              <td>
                <CopyId id={result.id} kind={result.kind} />
                {result.kind === 'customer' && !result.userId ? (
                  <span className="muted"> (no Clerk user linked)</span>
                ) : null}
              </td>
              <td>
                {result.health ? (
                  <StatusBadge tone={result.health === 'healthy' ? 'ok' : 'danger'}>
                    {result.health === 'healthy' ? 'Healthy' : 'Problems'}
                  </StatusBadge>
                ) : null}
              </td>
            </tr>
          );
        }}
      />
    </section>
  );
}

function RecentLookups() {
  const { lookups, clear } = useRecentLookups();
  const id = useId();
  if (lookups.length === 0) {
    return (
      <EmptyState title="No recent lookups">
        <p>
          Search for a user with the Search box above (an email, a name, or a <code>user_</code>,{' '}
          <code>cus_</code> or <code>cs_</code> id). The last ten users you open are listed here, in this
          browser only.
        </p>
      </EmptyState>
    );
  }
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Recent lookups</h2>
        <button type="button" className="button button-quiet button-small" onClick={clear}>
          Clear recent lookups
        </button>
      </div>
      <ul className="recent-list">
        {lookups.map((lookup) => (
          <li key={lookup.userId}>
            <UserLabel userId={lookup.userId} email={lookup.email} name={lookup.name} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** `/users?q=` (free text) and `/users?customer=cus_…` land here from the header search. */
export function UsersPage() {
  const [params] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  const customer = params.get('customer')?.trim() ?? '';
  const query = customer || q;

  return (
    <Page heading="Users">
      {customer ? (
        <p className="lede">
          The user behind Stripe customer <CopyId id={customer} kind="customer" />.
        </p>
      ) : null}
      {query ? (
        <Results query={query} />
      ) : (
        <div className="stack">
          <NeedsAttention />
          <RecentLookups />
        </div>
      )}
    </Page>
  );
}
