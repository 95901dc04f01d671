import { useId } from 'react';
import { Link } from 'react-router';
import type { SessionStory as SessionStoryData } from '../../api/types';
import { OpenInStripe } from '../../components/OpenIn/OpenIn';
import { Timeline } from '../../components/Timeline/Timeline';
import { formatDateTime, formatMoney } from '../../format';
import { useSessionTimeline } from '../../hooks/useCustomerStory';
import { paths } from '../../paths';

const fromSeconds = (seconds: number) => formatDateTime(new Date(seconds * 1000).toISOString());

/** "Customer": who paid, how much and when, the deliveries Stripe could not make, and their user page. */
function Customer({ story }: { story: SessionStoryData }) {
  const id = useId();
  const { checkout, failedDeliveries } = story;
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Customer</h2>
        {checkout?.customerId ? <OpenInStripe kind="customer" id={checkout.customerId} /> : null}
      </div>
      {checkout === null ? (
        <p>Stripe has no such checkout session, so who paid is unknown.</p>
      ) : (
        <dl className="facts">
          <div>
            <dt>Email</dt>
            <dd>
              {checkout.userId ? (
                <Link to={paths.user(checkout.userId)}>{checkout.email ?? checkout.userId}</Link>
              ) : (
                (checkout.email ?? 'none given')
              )}
              {checkout.userId ? null : <span className="muted"> (no Clerk user linked)</span>}
            </dd>
          </div>
          <div>
            <dt>Amount</dt>
            <dd>{formatMoney(checkout.amountTotal, checkout.currency)}</dd>
          </div>
          <div>
            <dt>{checkout.paymentStatus === 'paid' ? 'Paid' : 'Payment'}</dt>
            <dd>
              {checkout.paymentStatus === 'paid'
                ? `${fromSeconds(checkout.created)} (checkout created)`
                : `${checkout.paymentStatus}, checkout ${checkout.status ?? 'unknown'}`}
              {checkout.paymentIntentId ? (
                <>
                  {' '}
                  <OpenInStripe kind="payment" id={checkout.paymentIntentId} />
                </>
              ) : null}
            </dd>
          </div>
          <div>
            <dt>Failed deliveries</dt>
            <dd>
              {failedDeliveries.length === 0 ? (
                'None: Stripe delivered every webhook about this checkout'
              ) : (
                <ul className="plain-list">
                  {failedDeliveries.map((event) => (
                    <li key={event.eventId}>
                      <code>{event.type}</code> at {fromSeconds(event.created)} (<code>{event.eventId}</code>){' '}
                      <OpenInStripe kind="event" id={event.eventId} />
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}

/** The session page's "Customer" card (`GET /api/sessions/:id/timeline`, shared with the timeline). */
export function SessionCustomer({ sessionId }: { sessionId: string }) {
  const story = useSessionTimeline(sessionId);
  return story.data ? <Customer story={story.data} /> : null;
}

/** The session page's timeline: the checkout, its deliveries, the app's writes, repairs. */
export function SessionTimeline({ sessionId }: { sessionId: string }) {
  const story = useSessionTimeline(sessionId);
  return (
    <Timeline
      here={sessionId}
      data={story.data}
      isPending={story.isPending}
      error={story.error}
      onRetry={() => void story.refetch()}
      covers="Stripe (the checkout and its webhook deliveries), the times the app wrote into its records, and Cache Doctor's repairs."
    />
  );
}
