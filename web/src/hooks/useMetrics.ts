import type { MetricsRange } from '@cache-doctor/shared';
import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { getToken } from '../api/token';
import type { MetricAlert } from '../api/types';

export const METRICS_REFRESH_MS = 10_000;

/** `GET /api/metrics?range=`, refreshed as often as the server samples by default. */
export function useMetrics(range: MetricsRange) {
  return useQuery({
    queryKey: queryKeys.metrics.range(range),
    queryFn: () => unwrap(client.api.metrics.$get({ query: { range } })),
    refetchInterval: METRICS_REFRESH_MS,
    staleTime: METRICS_REFRESH_MS / 2,
    enabled: getToken() !== null,
  });
}

/** The alerts firing now, for the header badge (shares the 1 h query with the Metrics page). */
export function useFiringAlerts(): MetricAlert[] {
  const { data } = useMetrics('1h');
  return data?.alerts.filter((alert) => alert.state === 'firing') ?? [];
}
