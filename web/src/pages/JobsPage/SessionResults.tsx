import type { SessionJobOutcome } from '@cache-doctor/shared';
import { Link } from 'react-router';
import type { JobSessionResult } from '../../api/types';
import { paths } from '../../paths';
import { CODE_LABELS } from '../SessionPage/format';

const OUTCOME_LABELS: Record<SessionJobOutcome, string> = {
  reported: 'Listed',
  fixed: 'Fixed',
  generated: 'Generation started',
  skipped: 'Skipped',
  failed: 'Failed',
};

/** A session sweep's per-session results, on the Jobs page and where the sweep was started. */
export function SessionResults({ results, caption }: { results: JobSessionResult[]; caption: string }) {
  return (
    <div className="table-scroll">
      <table className="table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Diagnosis before</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {results.map((result) => (
            <tr key={result.sessionId}>
              <th scope="row">
                <Link to={paths.session(result.sessionId)}>{result.sessionId}</Link>
              </th>
              <td>{CODE_LABELS[result.code]}</td>
              <td>
                {OUTCOME_LABELS[result.outcome]}
                <span className="muted"> — {result.message}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
