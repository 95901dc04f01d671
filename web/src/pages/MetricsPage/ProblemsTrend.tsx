import { problemTitle, TREND_RANGES, type TrendRange } from '@cache-doctor/shared';
import { useId, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ProblemTrend } from '../../api/types';
import { DataTable } from '../../components/DataTable/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { formatDateTime } from '../../format';
import { useProblemTrend } from '../../hooks/useAttention';
import { dayTickLabel, firstOfEachDay, TREND_RANGE_OPTIONS } from './metricsView';

/** Distinguishable in both themes; a legend and the table name each series in words anyway. */
const COLOURS = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#64748b',
];

type Point = ProblemTrend['points'][number];

/** Every code that appears in the range, the most common first. */
function codesOf(points: readonly Point[]): string[] {
  const peak = new Map<string, number>();
  for (const point of points)
    for (const [code, n] of Object.entries(point.counts)) peak.set(code, Math.max(peak.get(code) ?? 0, n));
  return [...peak].sort(([a, m], [b, n]) => n - m || a.localeCompare(b)).map(([code]) => code);
}

/** The figures as CSV: one row per sweep, one column per problem (spreadsheet-friendly ISO times). */
export function trendCsv(points: readonly Point[]): string {
  const codes = codesOf(points);
  const rows = points.map((point) => [
    point.at,
    point.checked,
    ...codes.map((code) => point.counts[code] ?? 0),
  ]);
  return [['sweptAt', 'usersChecked', ...codes], ...rows].map((row) => row.join(',')).join('\n');
}

const total = (point: Point) => Object.values(point.counts).reduce((sum, n) => sum + n, 0);

/**
 * "Problems over time" (Metrics page): users with each error-level problem at every scheduled
 * sweep, stacked, so a manager sees whether broken customers are rising. Source: the sweeps.
 */
export function ProblemsTrend() {
  const id = useId();
  const [range, setRange] = useState<TrendRange>(TREND_RANGES[0]);
  const trend = useProblemTrend(range);
  const points = trend.data?.points ?? [];
  const codes = codesOf(points);
  const latest = points.at(-1);
  const data = points.map((point) => ({ t: Date.parse(point.at), ...point.counts }));
  const csvHref =
    points.length > 0 ? `data:text/csv;charset=utf-8,${encodeURIComponent(trendCsv(points))}` : null;

  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Problems over time</h2>
        {/* biome-ignore lint/a11y/useSemanticElements: toggle buttons in a named group, as the page's own range picker */}
        <div role="group" aria-label="Problems over time range" className="button-row">
          {TREND_RANGE_OPTIONS.map((option) => (
            <button
              key={option.value}
              type="button"
              className="button"
              aria-pressed={range === option.value}
              onClick={() => setRange(option.value)}
            >
              {option.label}
            </button>
          ))}
        </div>
      </div>
      <p className="muted panel-note">
        Source: the health sweeps (users with error-level problems at each sweep, stacked by problem).
      </p>
      {trend.isPending ? <Loading label="Reading the sweeps…" /> : null}
      {trend.error ? (
        <ErrorMessage
          title="Could not read the sweeps"
          error={trend.error}
          onRetry={() => void trend.refetch()}
        />
      ) : null}
      {trend.data && points.length === 0 ? <p>No sweep finished in this range yet.</p> : null}
      {latest ? (
        <>
          <p>
            Latest sweep {formatDateTime(latest.at)}: <strong>{total(latest)}</strong> problems on users among{' '}
            {latest.checked} checked; {points.length} {points.length === 1 ? 'sweep' : 'sweeps'} in range.{' '}
            {csvHref ? (
              <a href={csvHref} download={`problems-over-time-${range}.csv`}>
                Download CSV
              </a>
            ) : null}
          </p>
          <div className="trend-chart" aria-hidden="true">
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={data} accessibilityLayer={false}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  dataKey="t"
                  type="category"
                  ticks={firstOfEachDay(data.map((point) => point.t))}
                  tickFormatter={dayTickLabel}
                  minTickGap={24}
                />
                <YAxis allowDecimals={false} width={40} />
                <Tooltip labelFormatter={(t) => formatDateTime(Number(t))} />
                <Legend formatter={(name) => <span className="chart-legend-text">{name}</span>} />
                {codes.map((code, index) => (
                  <Bar
                    key={code}
                    dataKey={code}
                    name={problemTitle(code)}
                    stackId="problems"
                    fill={COLOURS[index % COLOURS.length]}
                    isAnimationActive={false}
                  />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <DataTable
            columns={['Problem', 'Latest sweep', 'Most in range']}
            caption="Users per problem: latest sweep and the most in range"
            captionHidden
            rows={codes}
            rowKey={(code) => code}
            renderRow={(code) => (
              <tr>
                <td>
                  {problemTitle(code)} <code className="muted">{code}</code>
                </td>
                <td>{latest.counts[code] ?? 0}</td>
                <td>{Math.max(...points.map((point) => point.counts[code] ?? 0))}</td>
              </tr>
            )}
          />
        </>
      ) : null}
    </section>
  );
}
