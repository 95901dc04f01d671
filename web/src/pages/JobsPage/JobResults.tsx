import { useId, useState } from 'react';
import { Link } from 'react-router';
import type { Job } from '../../api/types';
import { DataTable } from '../../components/DataTable/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { ProblemTitles } from '../../components/ProblemTitle/ProblemTitle';
import { downloadResultsCsv, useJobResults } from '../../hooks/useJobs';
import { paths } from '../../paths';
import { SessionResults } from './SessionResults';

const OUTCOME_LABELS: Record<string, string> = {
  diagnosed: 'Diagnosed',
  refreshed: 'Refreshed',
  skipped: 'Skipped',
  failed: 'Failed',
};

/** One job's per-user (or, for a session sweep, per-session) results, filterable by problem code. */
export function JobResults({
  job,
  problem,
  onProblem,
}: {
  job: Job;
  problem: string;
  onProblem: (code: string) => void;
}) {
  const active = job.state === 'queued' || job.state === 'running';
  const results = useJobResults(job.id, problem, `${job.state}:${job.progress.done}`);
  const filterId = useId();
  const byCode: Record<string, number> = { ...job.summary.byCode };
  // a linked filter is kept even before (or without) a result with that code
  if (problem && !(problem in byCode)) byCode[problem] = 0;
  const codes = Object.entries(byCode).sort(([a], [b]) => a.localeCompare(b));
  const [downloadError, setDownloadError] = useState<unknown>(null);

  return (
    <div className="job-results">
      <div className="filters">
        <div className="field">
          <label htmlFor={filterId}>Problem</label>
          <select id={filterId} value={problem} onChange={(event) => onProblem(event.target.value)}>
            <option value="">Any problem</option>
            {codes.map(([code, count]) => (
              <option key={code} value={code}>
                {code} ({count})
              </option>
            ))}
          </select>
        </div>
        <div className="filters-actions">
          <button
            type="button"
            className="button button-quiet"
            onClick={() => downloadResultsCsv(job.id).catch(setDownloadError)}
          >
            Download CSV
          </button>
        </div>
      </div>
      {downloadError ? <ErrorMessage title="Could not download the results" error={downloadError} /> : null}
      {results.isLoading ? <Loading label="Loading results…" /> : null}
      {results.isError ? <ErrorMessage title="Could not load the results" error={results.error} /> : null}
      {results.data && job.type === 'session-sweep' ? (
        (results.data.sessionResults ?? []).length === 0 ? (
          <p className="muted">{active ? 'No unprocessed session so far.' : 'No unprocessed session.'}</p>
        ) : (
          <SessionResults results={results.data.sessionResults ?? []} caption="Unprocessed paid sessions" />
        )
      ) : null}
      {results.data && job.type !== 'session-sweep' ? (
        (results.data.results ?? []).length === 0 ? (
          <p className="muted">{active ? 'No problems found so far.' : 'No user has a problem.'}</p>
        ) : (
          <DataTable
            caption={`Users with problems${problem ? ` (${problem})` : ''}${(results.data.results ?? []).length >= 500 ? ', first 500 — download the CSV for all' : ''}`}
            columns={['User', 'Problems', 'Outcome']}
            rows={results.data.results ?? []}
            rowKey={(result) => result.userId}
            virtualRowHeight={42}
            renderRow={(result) => (
              <tr>
                <th scope="row">
                  <Link to={paths.user(result.userId)}>{result.userId}</Link>
                </th>
                <td>
                  <ProblemTitles codes={result.problems} />
                </td>
                <td>
                  {OUTCOME_LABELS[result.outcome] ?? result.outcome}
                  {result.message ? <span className="muted"> — {result.message}</span> : null}
                </td>
              </tr>
            )}
          />
        )
      ) : null}
    </div>
  );
}
