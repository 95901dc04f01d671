import { problemTitle } from '@cache-doctor/shared';
import { useId } from 'react';
import { Link } from 'react-router';
import { CopyId } from '../../components/CopyButton/CopyButton';
import { DataTable } from '../../components/DataTable/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { OpenInStripe } from '../../components/OpenIn/OpenIn';
import { StatusBadge } from '../../components/StatusBadge/StatusBadge';
import { formatDateTime, formatMoney } from '../../format';
import { useUserPurchases } from '../../hooks/useCustomerStory';
import { paths } from '../../paths';
import { severityTone } from '../SessionPage/format';

const PAYMENT_WORDS: Record<string, string> = {
  paid: 'Paid',
  unpaid: 'Not paid',
  no_payment_required: 'No payment needed',
};

/**
 * "Purchases": the customer's checkout sessions (theirs in Stripe, and guest checkouts with their
 * email), newest first, each with its amount, payment and the session diagnosis, linked to its page.
 */
export function Purchases({ userId }: { userId: string }) {
  const id = useId();
  const purchases = useUserPurchases(userId);
  const data = purchases.data;
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Purchases</h2>
        {data?.customerId ? <OpenInStripe kind="customer" id={data.customerId} /> : null}
      </div>
      <p className="muted panel-note">
        From Stripe's checkout sessions of{' '}
        {data?.customerId ? <CopyId id={data.customerId} kind="customer" /> : 'the customer'}
        {data?.email ? <> and guest checkouts paid as {data.email}</> : null} (the newest 100 of each),
        diagnosed against the cache.
      </p>
      {purchases.isPending ? <Loading label="Reading checkout sessions from Stripe…" /> : null}
      {purchases.error ? (
        <ErrorMessage
          title="Could not read the purchases"
          error={purchases.error}
          onRetry={() => void purchases.refetch()}
        />
      ) : null}
      {data && data.sessions.length === 0 ? <p>No checkout sessions in Stripe for this customer.</p> : null}
      {data && data.sessions.length > 0 ? (
        <DataTable
          columns={['Checkout', 'Amount', 'Payment', 'Diagnosis', { label: 'Links', hidden: true }]}
          rows={data.sessions}
          rowKey={(session) => session.sessionId}
          renderRow={(session) => (
            <tr>
              <td>
                <Link to={paths.session(session.sessionId)}>
                  {formatDateTime(new Date(session.created * 1000).toISOString())}
                </Link>
                <br />
                <CopyId id={session.sessionId} kind="session" />
                {session.guest ? <span className="muted"> (guest checkout)</span> : null}
              </td>
              <td>{formatMoney(session.amountTotal, session.currency)}</td>
              <td>{PAYMENT_WORDS[session.paymentStatus] ?? session.paymentStatus}</td>
              <td>
                <StatusBadge tone={severityTone(session.diagnosis.severity)}>
                  {problemTitle(session.diagnosis.code)}
                </StatusBadge>{' '}
                <code className="problem-code">{session.diagnosis.code}</code>
              </td>
              <td>
                <OpenInStripe kind="session" id={session.sessionId} />
              </td>
            </tr>
          )}
        />
      ) : null}
    </section>
  );
}
