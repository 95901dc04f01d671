import { useDashboards } from '../../hooks/useCustomerStory';

/** Stripe dashboard paths of the objects a support person follows out (test or live by key mode). */
const STRIPE_PATHS = {
  customer: 'customers',
  subscription: 'subscriptions',
  session: 'checkout/sessions',
  payment: 'payments',
  invoice: 'invoices',
  event: 'events',
} as const;

export type StripeObjectKind = keyof typeof STRIPE_PATHS;

/** "Open in Stripe": a new tab on Stripe's dashboard page of the object; the id says which. */
export function OpenInStripe({ kind, id }: { kind: StripeObjectKind; id: string }) {
  const { data } = useDashboards();
  if (!data) return null;
  return (
    <a
      className="external-link"
      href={`${data.stripe}/${STRIPE_PATHS[kind]}/${encodeURIComponent(id)}`}
      target="_blank"
      rel="noreferrer"
    >
      Open in Stripe<span className="visually-hidden"> ({id}, new tab)</span>
    </a>
  );
}

/** "Open in Clerk": only when CLERK_DASHBOARD_URL names the instance's users page. */
export function OpenInClerk({ userId }: { userId: string }) {
  const { data } = useDashboards();
  if (!data?.clerkUsers) return null;
  return (
    <a
      className="external-link"
      href={`${data.clerkUsers}/${encodeURIComponent(userId)}`}
      target="_blank"
      rel="noreferrer"
    >
      Open in Clerk<span className="visually-hidden"> ({userId}, new tab)</span>
    </a>
  );
}
