import {
  POLICY_ACTIVITY_RANGES,
  type PolicyActivity,
  type PolicyActivityPoint,
  type PolicyActivityRange,
} from '@cache-doctor/shared';
import { useId, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { formatDate, formatDateTime, formatTime } from '../../format';
import { usePolicyActivity } from '../../hooks/usePolicies';

/** Each range named in words, on its button and in the reading (as on the Metrics page). */
const RANGE_LABELS: Record<PolicyActivityRange, string> = { '24h': 'Last 24 hours', '7d': 'Last 7 days' };

type Totals = Record<'applied' | 'failed' | 'skipped' | 'stopped' | 'wouldDo', number>;

/** The range's figures added up: the chart's reading in words. */
function activityTotals(points: readonly PolicyActivityPoint[]): Totals {
  const totals: Totals = { applied: 0, failed: 0, skipped: 0, stopped: 0, wouldDo: 0 };
  for (const point of points)
    for (const field of Object.keys(totals) as Array<keyof Totals>) totals[field] += point[field];
  return totals;
}

/** The hour with the most repairs tried (applied or failed: what the hourly limit counts). */
function busiestHour(points: readonly PolicyActivityPoint[]): PolicyActivityPoint | null {
  let busiest: PolicyActivityPoint | null = null;
  for (const point of points)
    if (point.applied + point.failed > (busiest ? busiest.applied + busiest.failed : 0)) busiest = point;
  return busiest;
}

/** Applied and failed stacked (they count toward the hourly limit); the dry runs' beside them. */
const SERIES = [
  { key: 'applied', bar: { name: 'Applied', stackId: 'tried', fill: 'var(--ok-text, #14532d)' } },
  { key: 'failed', bar: { name: 'Failed', stackId: 'tried', fill: 'var(--danger-strong, #b91c1c)' } },
  {
    key: 'wouldDo',
    bar: { name: 'Dry run: newly listed', fill: 'var(--primary, #1d4ed8)', fillOpacity: 0.45 },
  },
] as const;
const seriesOrder = (item: { dataKey?: unknown }) =>
  SERIES.findIndex((series) => series.key === item.dataKey);

const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
const repairs = (n: number) => (n === 1 ? '1 repair' : `${n} repairs`);

type PolicyFigures = PolicyActivity['policies'][number];

/**
 * One policy's hours: repairs applied and failed stacked (they count toward its hourly limit, drawn
 * as a line), beside the targets its dry runs listed for the first time. The paragraph is the
 * chart's reading; the picture is hidden from assistive technology, as on the Metrics page.
 */
function PolicyChart({ policy, range }: { policy: PolicyFigures; range: PolicyActivityRange }) {
  const id = useId();
  const totals = activityTotals(policy.points);
  const busiest = busiestHour(policy.points);
  const anything = Object.values(totals).some((n) => n > 0);
  const tick = (t: number) => (range === '24h' ? formatTime(t) : formatDate(t));
  // every third hour over a day, every midnight over a week
  const ticks = policy.points
    .map((point) => point.t)
    .filter((t) => new Date(t).getHours() % (range === '24h' ? 3 : 24) === 0);
  return (
    <section aria-labelledby={id} data-policy={policy.name}>
      <h3 id={id}>Actions of {policy.name}</h3>
      {anything ? (
        <>
          <p>
            {RANGE_LABELS[range]}: <strong>{totals.applied}</strong> applied, <strong>{totals.failed}</strong>{' '}
            failed, {totals.skipped} skipped
            {totals.stopped > 0 ? `, stopped itself ${times(totals.stopped)}` : ''}; {totals.wouldDo}{' '}
            {totals.wouldDo === 1 ? 'target' : 'targets'} newly listed by dry runs.
            {busiest
              ? ` Busiest hour: ${formatDateTime(busiest.t)}, ${repairs(busiest.applied + busiest.failed)} tried (limit ${policy.maxPerHour} an hour).`
              : ''}
          </p>
          <div aria-hidden="true">
            <ResponsiveContainer width="100%" height={200} initialDimension={{ width: 400, height: 200 }}>
              <BarChart data={policy.points} accessibilityLayer={false} barCategoryGap="10%" barGap={0}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="t" type="category" ticks={ticks} tickFormatter={tick} />
                <YAxis allowDecimals={false} width={40} />
                {/* legend and tooltip in the order drawn: what counts toward the limit, then the dry runs' */}
                <Tooltip labelFormatter={(t) => formatDateTime(Number(t))} itemSorter={seriesOrder} />
                <Legend itemSorter={null} />
                {SERIES.map((series) => (
                  <Bar key={series.key} dataKey={series.key} isAnimationActive={false} {...series.bar} />
                ))}
                <ReferenceLine
                  y={policy.maxPerHour}
                  stroke="var(--danger-strong, #b91c1c)"
                  strokeDasharray="6 3"
                  ifOverflow="discard"
                  label={{
                    value: `hourly limit ${policy.maxPerHour}`,
                    position: 'insideTopRight',
                    fontSize: 11,
                  }}
                />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </>
      ) : (
        <p>No actions recorded in this range yet.</p>
      )}
    </section>
  );
}

/**
 * "Actions per policy" (issue #23): each policy's repairs per hour, from what the policies recorded
 * as they acted — the same counts as the `cache_doctor_policy_actions_total` series.
 */
export function PolicyActivityCharts() {
  const id = useId();
  const [range, setRange] = useState<PolicyActivityRange>('24h');
  const activity = usePolicyActivity(range);
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Actions per policy</h2>
        {/* biome-ignore lint/a11y/useSemanticElements: toggle buttons in a named group, as the Metrics page's pickers */}
        <div role="group" aria-label="Actions per policy range" className="button-row">
          {POLICY_ACTIVITY_RANGES.map((option) => (
            <button
              key={option}
              type="button"
              className="button"
              aria-pressed={range === option}
              onClick={() => setRange(option)}
            >
              {RANGE_LABELS[option]}
            </button>
          ))}
        </div>
      </div>
      <p className="muted panel-note">
        Source: the actions each policy recorded, counted per hour (as in the{' '}
        <code>cache_doctor_policy_actions_total</code> series); dry runs: the targets a run listed for the
        first time.
      </p>
      {activity.isPending ? <Loading label="Reading the policies' actions…" /> : null}
      {activity.error ? (
        <ErrorMessage
          title="Could not read the policies' actions"
          error={activity.error}
          onRetry={() => void activity.refetch()}
        />
      ) : null}
      {activity.data ? (
        <div>
          {activity.data.policies.map((policy) => (
            <PolicyChart key={policy.name} policy={policy} range={range} />
          ))}
        </div>
      ) : null}
    </section>
  );
}
