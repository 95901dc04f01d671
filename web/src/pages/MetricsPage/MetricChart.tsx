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
  formatAxisValue,
  formatValue,
  type MetricView,
  notEnoughData,
  type Point,
  samplesInRange,
  stateTone,
  stateWord,
  type Threshold,
  timeTickLabel,
  timeTicks,
  yDomain,
} from './metricsView';
import './MetricsPage.css';

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

/**
 * One metric: title (SPEC §5 words), the current value and alert state in text — the accessible
 * reading of the chart — then the chart with its threshold line and breaches shaded. The threshold
 * is named in the text, not on the line, where its label ran into the axis labels; fewer than two
 * samples are said in words ("Not enough data yet …") instead of drawn as a lone dot.
 */
export function MetricChart({ view, points, threshold, alert, source, from, to }: MetricChartProps) {
  const id = useId();
  const state = alert?.state ?? 'nodata';
  const latest = points.at(-1);
  const current = state === 'nodata' ? null : (alert?.value ?? latest?.v ?? null);
  const limit = `${threshold.op === '<' ? 'below' : 'above'} ${formatValue(view.unit, threshold.value)}`;
  const format = (v: number) => formatValue(view.unit, v);
  const tooFew = notEnoughData(points);
  return (
    <section className="card metric-card" aria-labelledby={id} data-metric={view.metric}>
      <div className="card-heading">
        <h2 id={id}>{view.title}</h2>
        <StatusBadge tone={stateTone(state)}>{stateWord(state)}</StatusBadge>
      </div>
      <p>
        Current: <strong>{formatValue(view.unit, current)}</strong>{' '}
        <span className="muted">
          (alert when {limit}, the dashed line; {samplesInRange(points)})
        </span>
      </p>
      <p className="muted metric-source">Source: {describeSource(source, to)}</p>
      {/* The paragraph above is the chart's reading; recharts' own keyboard layer would put a
          focusable, unnamed picture in the tab order, so it is off. */}
      <div className="metric-chart">
        {tooFew ? <p className="metric-chart-note">{tooFew}</p> : null}
        <div aria-hidden="true">
          <ResponsiveContainer width="100%" height={220} initialDimension={{ width: 460, height: 220 }}>
            <LineChart
              data={points}
              accessibilityLayer={false}
              margin={{ top: 8, right: 16, bottom: 0, left: 8 }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={[from, to]}
                allowDataOverflow
                ticks={timeTicks(from, to)}
                tickFormatter={timeTickLabel(to - from)}
              />
              <YAxis
                type="number"
                domain={yDomain(view.unit, points, threshold)}
                allowDataOverflow
                tickFormatter={(v: number) => formatAxisValue(view.unit, v)}
                width={64}
              />
              <Tooltip
                labelFormatter={(t) => formatDateTime(Number(t))}
                formatter={(v) => format(Number(v))}
              />
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
              />
              {tooFew ? null : (
                <Line
                  type="monotone"
                  dataKey="v"
                  name={view.title}
                  stroke="var(--primary, #1d4ed8)"
                  dot={false}
                  isAnimationActive={false}
                />
              )}
            </LineChart>
          </ResponsiveContainer>
        </div>
      </div>
    </section>
  );
}
