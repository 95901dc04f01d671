import { useAuthConfig } from '../../hooks/useAuthConfig';

/** Which world the buttons act on: the demo sandboxes, Stripe test mode, or live customers. */
export function EnvBadge() {
  const { data } = useAuthConfig();
  if (!data) return null;
  const env = data.demo
    ? { label: 'Demo', tone: 'info', title: 'Demo mode: local sandboxes seeded with sample data' }
    : data.stripeMode === 'live'
      ? { label: 'Live', tone: 'danger', title: 'Live mode: repairs act on real customers' }
      : { label: 'Test', tone: 'warning', title: 'Stripe test mode' };
  return (
    <span className={`badge badge-${env.tone} env-badge`} title={env.title}>
      {env.label}
    </span>
  );
}
