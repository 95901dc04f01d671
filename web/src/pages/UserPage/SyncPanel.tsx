import { Fragment, useId } from 'react';
import type { UserSync } from '../../api/types';
import { CopyId, type CopyIdKind } from '../../components/CopyButton/CopyButton';
import { DataTable } from '../../components/DataTable/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { StatusBadge } from '../../components/StatusBadge/StatusBadge';
import { formatValue } from '../../format';
import { clerkName, field, stripeSubscriptions, textField } from './fields';
import { ProblemList } from './ProblemList';

/** What a cell shows when the source does not have the field at all. */
const NOT_APPLICABLE = Symbol('not applicable');
type Cell = unknown | typeof NOT_APPLICABLE;

interface Row {
  field: string;
  label: string;
  /** the row holds ids (one per line, maybe followed by words): each gets its copy button */
  idKind?: CopyIdKind;
  cache: Cell;
  clerk: Cell;
  stripe: Cell;
}

/** The well-known fields (SPEC §1.1 customer record) with each source's value. */
function knownRows(sync: UserSync): Row[] {
  const { cached, clerk, stripe } = sync;
  const subscriptionIds = field(cached, 'subscriptions');
  return [
    {
      field: 'email',
      label: 'Email',
      cache: field(cached, 'email'),
      clerk: textField(clerk, 'primaryEmail'),
      stripe: field(stripe, 'email'),
    },
    {
      field: 'name',
      label: 'Name',
      cache: field(cached, 'name'),
      clerk: clerkName(clerk),
      stripe: field(stripe, 'name'),
    },
    {
      field: 'userId',
      label: 'User id',
      cache: field(cached, 'userId'),
      clerk: textField(clerk, 'id'),
      stripe: field(stripe, 'userId'),
    },
    {
      field: 'stripeCustomerId',
      label: 'Stripe customer id',
      idKind: 'customer',
      cache: field(cached, 'stripeCustomerId'),
      clerk: NOT_APPLICABLE,
      stripe: field(stripe, 'id'),
    },
    {
      field: 'subscriptions',
      label: 'Subscriptions',
      idKind: 'subscription',
      cache: Array.isArray(subscriptionIds) ? subscriptionIds.join('\n') || '(none)' : subscriptionIds,
      clerk: NOT_APPLICABLE,
      stripe: stripe ? (stripeSubscriptions(stripe)?.join('\n') ?? null) || '(none)' : null,
    },
  ];
}

/** "sub_1 (active)" lines: the id, copyable, then the words after it. */
function IdLines({ text, kind }: { text: string; kind: CopyIdKind }) {
  return (
    <span className="cell-value">
      {text.split('\n').map((line, index) => {
        const [id = '', ...words] = line.split(' ');
        // the cell keeps line breaks (pre-wrap): one id to a line
        return (
          <Fragment key={line}>
            {index > 0 ? '\n' : null}
            <CopyId id={id} kind={kind} />
            {words.length > 0 ? ` ${words.join(' ')}` : null}
          </Fragment>
        );
      })}
    </span>
  );
}

function CellValue({
  value,
  present,
  idKind,
}: {
  value: Cell;
  present: boolean;
  idKind: CopyIdKind | undefined;
}) {
  if (value === NOT_APPLICABLE) return <span className="muted">not kept here</span>;
  if (!present) return <span className="muted">no record</span>;
  if (value === undefined || value === null || value === '')
    return <span className="muted">{value === '' ? '(empty)' : '(none)'}</span>;
  if (idKind && typeof value === 'string' && value !== '(none)')
    return <IdLines text={value} kind={idKind} />;
  return <span className="cell-value">{formatValue(value)}</span>;
}

interface SyncPanelProps {
  sync: UserSync | undefined;
  isPending: boolean;
  error: Error | null;
  onRetry: () => void;
}

/**
 * SPEC §9: "Sync status", In sync / Out of sync, every problem's message, and the field-by-field
 * table. Rows the server lists in `differences` are marked in words and an icon, not colour alone.
 */
export function SyncPanel({ sync, isPending, error, onRetry }: SyncPanelProps) {
  const id = useId();
  const rows = sync ? knownRows(sync) : [];
  const differing = new Set(sync?.differences.map((difference) => difference.field.toLowerCase()) ?? []);
  // A difference in a field the table does not know still shows, with the server's values.
  const extra: Row[] =
    sync?.differences
      .filter((difference) => !rows.some((row) => row.field.toLowerCase() === difference.field.toLowerCase()))
      .map((difference) => ({
        field: difference.field,
        label: difference.field,
        cache: difference.cache,
        clerk: difference.clerk,
        stripe: difference.stripe,
      })) ?? [];

  return (
    <section className="card panel" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Sync status</h2>
        {sync ? (
          <StatusBadge tone={sync.inSync ? 'ok' : 'danger'}>
            {sync.inSync ? 'In sync' : 'Out of sync'}
          </StatusBadge>
        ) : null}
      </div>
      {isPending && !error ? <Loading label="Comparing the cache with Clerk and Stripe…" /> : null}
      {error && !sync ? (
        <ErrorMessage title="Could not compare with Clerk and Stripe" error={error} onRetry={onRetry} />
      ) : null}
      {sync ? (
        <>
          <ProblemList problems={sync.problems} none="The cache agrees with Clerk and Stripe." />
          <DataTable
            className="sync-table"
            caption={
              <>
                Cache compared with Clerk and Stripe
                {differing.size > 0 || extra.length > 0 ? (
                  <span className="muted"> — rows marked “differs” disagree</span>
                ) : null}
              </>
            }
            columns={['Field', 'Cache', 'Clerk', 'Stripe']}
            rows={[...rows, ...extra]}
            rowKey={(row) => row.field}
            renderRow={(row) => {
              const differs = differing.has(row.field.toLowerCase());
              return (
                <tr className={differs ? 'row-differs' : undefined}>
                  <th scope="row">
                    {row.label}
                    {differs ? (
                      <span className="differs-mark">
                        <span aria-hidden="true">≠</span> differs
                      </span>
                    ) : null}
                  </th>
                  <td>
                    <CellValue value={row.cache} present={sync.cached !== null} idKind={row.idKind} />
                  </td>
                  <td>
                    <CellValue value={row.clerk} present={sync.clerk !== null} idKind={row.idKind} />
                  </td>
                  <td>
                    <CellValue value={row.stripe} present={sync.stripe !== null} idKind={row.idKind} />
                  </td>
                </tr>
              );
            }}
          />
        </>
      ) : null}
    </section>
  );
}
