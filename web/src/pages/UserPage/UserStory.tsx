import { Timeline } from '../../components/Timeline/Timeline';
import { useUserTimeline } from '../../hooks/useCustomerStory';
import { Purchases } from './Purchases';

/** What the customer bought and what happened to them, below the cache panels. */
export function UserStory({ userId }: { userId: string }) {
  const timeline = useUserTimeline(userId);
  return (
    <div className="stack">
      <Purchases userId={userId} />
      <Timeline
        here={userId}
        data={timeline.data}
        isPending={timeline.isPending}
        error={timeline.error}
        onRetry={() => void timeline.refetch()}
        covers="Stripe (customer, subscriptions, checkouts, invoices: the newest 100 of each), the cache record's last write, and Cache Doctor's changes to this user."
      />
    </div>
  );
}
