import { describeSource, type SourceDetail } from '@cache-doctor/shared';
import { useId } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { MetricAlert } from '../../api/types';
import { StatusBadge } from '../../components/StatusBadge/StatusBadge';
import { formatDateTime } from '../../format';
import {
  breachRuns,
  formatValue,
  type MetricView,
  type Point,
  stateTone,
  stateWord,
  type Threshold,
  yDomain,
} from './metricsView';

interface MetricChartProps {
  view: MetricView;
  points: Point[];
  threshold: Threshold;
  alert: MetricAlert | undefined;
  /** where the figure comes from, said in words under the title (SPEC §5) */
  source: SourceDetail;
  from: number;
  to: number;
}

const timeTick = (rangeMs: number) => (t: number) =>
  rangeMs > 86_400_000
    ? new Date(t).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric' })
    : new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * One metric: title (SPEC §5 words), the current value and alert state in text — the accessible
 * reading of the chart — then the chart with its threshold line and breaches shaded.
 */
export function MetricChart({ view, points, threshold, alert, source, from, to }: MetricChartProps) {
  const id = useId();
  const state = alert?.state ?? 'nodata';
  const latest = points.at(-1);
  const current = state === 'nodata' ? null : (alert?.value ?? latest?.v ?? null);
  const limit = `${threshold.op === '<' ? 'below' : 'above'} ${formatValue(view.unit, threshold.value)}`;
  const format = (v: number) => formatValue(view.unit, v);
  return (
    <section className="card metric-card" aria-labelledby={id} data-metric={view.metric}>
      <div className="card-heading">
        <h2 id={id}>{view.title}</h2>
        <StatusBadge tone={stateTone(state)}>{stateWord(state)}</StatusBadge>
      </div>
      <p>
        Current: <strong>{formatValue(view.unit, current)}</strong>{' '}
        <span className="muted">(alert when {limit}</span>
        <span className="muted">; {points.length} points in range)</span>
      </p>
      <p className="muted metric-source">Source: {describeSource(source, to)}</p>
      {/* The paragraph above is the chart's reading; recharts' own keyboard layer would put a
          focusable, unnamed picture in the tab order, so it is off. */}
      <div aria-hidden="true" className="metric-chart">
        <ResponsiveContainer width="100%" height={220} initialDimension={{ width: 460, height: 220 }}>
          <LineChart data={points} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={[from, to]}
              allowDataOverflow
              tickFormatter={timeTick(to - from)}
            />
            <YAxis
              type="number"
              domain={yDomain(view.unit, points, threshold)}
              allowDataOverflow
              tickFormatter={format}
              width={64}
            />
            <Tooltip labelFormatter={(t) => formatDateTime(Number(t))} formatter={(v) => format(Number(v))} />
            {breachRuns(points, threshold).map(([x1, x2]) => (
              <ReferenceArea
                key={x1}
                x1={x1}
                x2={x2}
                fill="var(--danger-strong, #b91c1c)"
                fillOpacity={0.15}
                ifOverflow="hidden"
              />
            ))}
            <ReferenceLine
              y={threshold.value}
              stroke="var(--danger-strong, #b91c1c)"
              strokeDasharray="6 3"
              ifOverflow="extendDomain"
              label={{
                value: `threshold ${format(threshold.value)}`,
                position: 'insideTopRight',
                fontSize: 11,
              }}
            />
            <Line
              type="monotone"
              dataKey="v"
              name={view.title}
              stroke="var(--primary, #1d4ed8)"
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
