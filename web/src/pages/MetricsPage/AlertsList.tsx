import { ALERT_AFFECTED, ALERT_RUNBOOK, pendingWords } from '@cache-doctor/shared';
import { Link } from 'react-router';
import type { Metrics } from '../../api/types';
import { StatusBadge } from '../../components/StatusBadge/StatusBadge';
import { formatDateTime } from '../../format';
import { formatValue, stateTone, stateWord, titleOf, unitOf } from './metricsView';

/** SPEC §9: firing (and pending) alerts now, then the recent firing/resolved history. */
export function AlertsList({ metrics }: { metrics: Metrics }) {
  const active = metrics.alerts.filter((alert) => alert.state === 'firing' || alert.state === 'pending');
  return (
    <section className="card" aria-labelledby="alerts-heading" style={{ marginBottom: '1rem' }}>
      <h2 id="alerts-heading">Alerts</h2>
      {active.length === 0 ? (
        <p className="muted">No alert is firing or pending.</p>
      ) : (
        <ul>
          {active.map((alert) => (
            <li key={alert.metric}>
              <StatusBadge tone={stateTone(alert.state)}>{stateWord(alert.state)}</StatusBadge>{' '}
              <strong>{titleOf(alert.metric)}</strong>: {formatValue(unitOf(alert.metric), alert.value)}{' '}
              (threshold {formatValue(unitOf(alert.metric), alert.threshold)}), since{' '}
              {formatDateTime(alert.since)}
              {alert.state === 'pending' ? (
                <>
                  {' '}
                  — pending:{' '}
                  {pendingWords(
                    metrics.thresholds[alert.metric].op,
                    alert.since,
                    Date.now(),
                    metrics.alertForMs,
                  )}
                </>
              ) : null}
              <br />
              <Link to={ALERT_AFFECTED[alert.metric].path}>{ALERT_AFFECTED[alert.metric].words}</Link>
              <span className="muted">
                {' '}
                · runbook: <code>{ALERT_RUNBOOK}</code>
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3>Recent</h3>
      {metrics.history.length === 0 ? (
        <p className="muted">No alert has fired recently.</p>
      ) : (
        <ul>
          {metrics.history.map((entry) => (
            <li key={`${entry.metric}-${entry.state}-${entry.since}`}>
              {formatDateTime(entry.since)} — <strong>{titleOf(entry.metric)}</strong>{' '}
              {entry.state === 'firing' ? 'fired' : 'resolved'} at{' '}
              {formatValue(unitOf(entry.metric), entry.value)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
