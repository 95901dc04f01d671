import { useStatus } from '../../hooks/useStatus';

/**
 * Shown on every signed-in page while `/api/status` says Redis is down. Later pages rely on it to
 * explain why cache reads fail, instead of each page saying so itself.
 */
export function RedisDownBanner() {
  const { data } = useStatus();
  if (!data || data.redis.ok) return null;
  return (
    <div role="alert" className="banner banner-danger">
      <p>
        <strong>Redis is down.</strong> {data.redis.error ? `${data.redis.error}. ` : ''}
        Cached customer and session data cannot be read or repaired until it is back; look-ups fall back to
        Stripe where they can.
      </p>
    </div>
  );
}
