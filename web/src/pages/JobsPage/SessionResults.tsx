import type { SessionJobOutcome } from '@cache-doctor/shared';
import { useState } from 'react';
import { Link } from 'react-router';
import type { JobSessionResult } from '../../api/types';
import { DataTable } from '../../components/DataTable/DataTable';
import { ProblemTitle } from '../../components/ProblemTitle/ProblemTitle';
import { paths } from '../../paths';
import { ResultChanges, ShowChangesButton } from './ResultChanges';

const OUTCOME_LABELS: Record<SessionJobOutcome, string> = {
  reported: 'Listed',
  fixed: 'Fixed',
  generated: 'Generation started',
  skipped: 'Skipped',
  failed: 'Failed',
};

/**
 * A session sweep's per-session results, on the Jobs page and where the sweep was started: the
 * paying customer beside each session, and what a repair wrote one click away (given the job).
 */
export function SessionResults({
  results,
  caption,
  jobId,
}: {
  results: JobSessionResult[];
  caption: string;
  jobId?: string;
}) {
  const [changesOf, setChangesOf] = useState<string | null>(null);
  return (
    <>
      <DataTable
        caption={caption}
        columns={['Session', 'Customer', 'Diagnosis before', 'Outcome']}
        rows={results}
        rowKey={(result) => result.sessionId}
        renderRow={(result) => (
          <tr>
            <th scope="row">
              <Link to={paths.session(result.sessionId)}>{result.sessionId}</Link>
            </th>
            <td>{result.customerEmail ?? <span className="muted">not named in Stripe</span>}</td>
            <td>
              <ProblemTitle code={result.code} />
            </td>
            <td>
              {OUTCOME_LABELS[result.outcome]}
              <span className="muted"> — {result.message}</span>
              {jobId && result.auditId ? (
                <ShowChangesButton who={result.sessionId} onClick={() => setChangesOf(result.sessionId)} />
              ) : null}
            </td>
          </tr>
        )}
      />
      {jobId ? (
        <ResultChanges
          jobId={jobId}
          target={changesOf}
          label={changesOf ?? ''}
          onClose={() => setChangesOf(null)}
        />
      ) : null}
    </>
  );
}
