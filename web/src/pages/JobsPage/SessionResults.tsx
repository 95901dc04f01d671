import type { SessionJobOutcome } from '@cache-doctor/shared';
import { Link } from 'react-router';
import type { JobSessionResult } from '../../api/types';
import { DataTable } from '../../components/DataTable/DataTable';
import { ProblemTitle } from '../../components/ProblemTitle/ProblemTitle';
import { paths } from '../../paths';

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
    <DataTable
      caption={caption}
      columns={['Session', 'Diagnosis before', 'Outcome']}
      rows={results}
      rowKey={(result) => result.sessionId}
      renderRow={(result) => (
        <tr>
          <th scope="row">
            <Link to={paths.session(result.sessionId)}>{result.sessionId}</Link>
          </th>
          <td>
            <ProblemTitle code={result.code} />
          </td>
          <td>
            {OUTCOME_LABELS[result.outcome]}
            <span className="muted"> — {result.message}</span>
          </td>
        </tr>
      )}
    />
  );
}
