import { useSearchParams } from 'react-router';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { Page } from '../../components/Page/Page';
import { useMetrics } from '../../hooks/useMetrics';
import { AlertsList } from './AlertsList';
import { MetricChart } from './MetricChart';
import { METRIC_VIEWS, parseRange, RANGES } from './metricsView';
import { ProblemsTrend } from './ProblemsTrend';

/** SPEC §9 metrics page; the range lives in the URL (`?range=`) so a view can be shared. */
export function MetricsPage() {
  const [params, setParams] = useSearchParams();
  const range = parseRange(params.get('range'));
  const query = useMetrics(range);
  const rangeMs = RANGES.find((r) => r.value === range)?.ms ?? 3_600_000;
  const to = query.dataUpdatedAt || Date.now();

  const picker = (
    <fieldset
      className="button-row"
      style={{ border: 0, margin: 0, padding: 0, display: 'flex', gap: '0.5rem' }}
    >
      <legend className="visually-hidden">Range</legend>
      {RANGES.map((option) => (
        <button
          key={option.value}
          type="button"
          className="button"
          aria-pressed={option.value === range}
          onClick={() =>
            setParams((current) => {
              const next = new URLSearchParams(current);
              next.set('range', option.value);
              return next;
            })
          }
        >
          {option.label}
        </button>
      ))}
    </fieldset>
  );

  return (
    <Page heading="Metrics" actions={picker}>
      {query.isPending ? (
        <Loading label="Loading metrics…" />
      ) : query.isError ? (
        <ErrorMessage
          title="Could not load the metrics"
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      ) : (
        <>
          <AlertsList metrics={query.data} />
          <div
            className="card-grid"
            style={{ gridTemplateColumns: 'repeat(auto-fill, minmax(min(26rem, 100%), 1fr))' }}
          >
            {METRIC_VIEWS.map((view) => (
              <MetricChart
                key={view.metric}
                view={view}
                points={query.data.series[view.metric]}
                threshold={query.data.thresholds[view.metric]}
                alert={query.data.alerts.find((alert) => alert.metric === view.metric)}
                source={query.data.sourceDetails[view.metric]}
                from={to - rangeMs}
                to={to}
              />
            ))}
          </div>
        </>
      )}
      <ProblemsTrend />
    </Page>
  );
}
