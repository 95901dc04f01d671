import { Page } from '../../components/Page/Page';
import { Planned } from '../../components/Planned/Planned';

/** What the charts will plot (SPEC §5), listed so the page says what it is for. */
const PLANNED = [
  'Cache hit rate',
  'Sync failure rate',
  'API error rate',
  'Response time (p95)',
  'Webhook success rate',
  'Redis memory',
];

export function MetricsPage() {
  return (
    <Page heading="Metrics">
      <Planned what="The health charts view">
        <p>
          This page will chart, over the last hour, day or week, with each alert threshold drawn in and
          breaches shaded: {PLANNED.join(', ')}. A list of firing and recent alerts will sit beside them.
        </p>
        <p>The figures are already served to Prometheus at /metrics.</p>
      </Planned>
    </Page>
  );
}
