import { problemTitle } from '@cache-doctor/shared';
import { useId, useState } from 'react';
import type { Job, JobResult } from '../../api/types';
import { DataTable } from '../../components/DataTable/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { ProblemTitles } from '../../components/ProblemTitle/ProblemTitle';
import { UserLabel } from '../../components/UserLabel/UserLabel';
import { downloadResultsCsv, useJobResults } from '../../hooks/useJobs';
import { useStaff } from '../../hooks/useStaff';
import { codesVerdict } from '../UserPage/verdict';
import { BulkRefreshDialog } from './BulkRefreshDialog';
import { ResultChanges, ShowChangesButton } from './ResultChanges';
import { SessionResults } from './SessionResults';

/** The results a page lists at most; the CSV has them all. */
const LISTED = 500;

function outcomeWords(result: JobResult): string {
  if (result.outcome === 'refreshed')
    return result.changedKeys?.length === 0
      ? 'Already right (expiry renewed)'
      : `Repaired (${result.changedKeys?.length ?? 0} ${result.changedKeys?.length === 1 ? 'key' : 'keys'} changed)`;
  // what the user page would say of this user
  if (result.outcome === 'diagnosed') return codesVerdict(result.problems, result.broken).label;
  return result.outcome === 'skipped' ? 'Skipped' : 'Failed';
}

/**
 * One job's per-user (or, for a session sweep, per-session) results, filterable by problem code;
 * the CSV follows the filter, a sweep's listed users can be refreshed in one go, and every repaired
 * user's changes are one click away.
 */
export function JobResults({
  job,
  problem,
  onProblem,
  onStarted,
}: {
  job: Job;
  problem: string;
  onProblem: (code: string) => void;
  /** a job started from these results (Refresh these N) */
  onStarted?: (jobId: string) => void;
}) {
  const { canStart } = useStaff();
  const active = job.state === 'queued' || job.state === 'running';
  const results = useJobResults(job.id, problem, `${job.state}:${job.progress.done}`);
  const filterId = useId();
  const byCode: Record<string, number> = { ...job.summary.byCode };
  // a linked filter is kept even before (or without) a result with that code
  if (problem && !(problem in byCode)) byCode[problem] = 0;
  const codes = Object.entries(byCode).sort(([a], [b]) => a.localeCompare(b));
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const [refreshing, setRefreshing] = useState(false);
  const [changesOf, setChangesOf] = useState<JobResult | null>(null);
  const rows = results.data?.results ?? [];
  const sessionRows = results.data?.sessionResults ?? [];
  const refreshable =
    job.type === 'sweep' && !active && canStart('bulk-refresh') ? rows.map((row) => row.userId) : [];

  return (
    <div className="job-results">
      <div className="filters">
        <div className="field">
          <label htmlFor={filterId}>Problem</label>
          <select id={filterId} value={problem} onChange={(event) => onProblem(event.target.value)}>
            <option value="">Any problem</option>
            {codes.map(([code, count]) => (
              <option key={code} value={code}>
                {problemTitle(code)} · {code} ({count})
              </option>
            ))}
          </select>
        </div>
        <div className="filters-actions">
          {refreshable.length > 0 ? (
            <button type="button" className="button" onClick={() => setRefreshing(true)}>
              Refresh these {refreshable.length.toLocaleString()}
            </button>
          ) : null}
          <button
            type="button"
            className="button button-quiet"
            onClick={() => downloadResultsCsv(job, problem).catch(setDownloadError)}
          >
            {problem ? `Download CSV (${problem})` : 'Download CSV'}
          </button>
        </div>
      </div>
      {downloadError ? <ErrorMessage title="Could not download the results" error={downloadError} /> : null}
      {results.isLoading ? <Loading label="Loading results…" /> : null}
      {results.isError ? <ErrorMessage title="Could not load the results" error={results.error} /> : null}
      {results.data && job.type === 'session-sweep' ? (
        sessionRows.length === 0 ? (
          <p className="muted">{active ? 'No unprocessed session so far.' : 'No unprocessed session.'}</p>
        ) : (
          <SessionResults results={sessionRows} caption="Unprocessed paid sessions" jobId={job.id} />
        )
      ) : null}
      {results.data && job.type !== 'session-sweep' ? (
        rows.length === 0 ? (
          <p className="muted">{active ? 'No problems found so far.' : 'No user has a problem.'}</p>
        ) : (
          <DataTable
            caption={`Users with problems${problem ? ` (${problem})` : ''}${rows.length >= LISTED ? `, first ${LISTED} — download the CSV for all` : ''}`}
            columns={['User', 'Problems', 'Outcome']}
            rows={rows}
            rowKey={(result) => result.userId}
            virtualRowHeight={42}
            renderRow={(result) => (
              <tr>
                <th scope="row">
                  <UserLabel userId={result.userId} email={result.email} name={result.name} />
                </th>
                <td>
                  <ProblemTitles codes={result.problems} />
                </td>
                <td>
                  {outcomeWords(result)}
                  {result.message ? <span className="muted"> — {result.message}</span> : null}
                  {result.auditId && (result.changedKeys?.length ?? 0) > 0 ? (
                    <ShowChangesButton
                      who={result.email ?? result.userId}
                      onClick={() => setChangesOf(result)}
                    />
                  ) : null}
                </td>
              </tr>
            )}
          />
        )
      ) : null}
      <ResultChanges
        jobId={job.id}
        target={changesOf?.userId ?? null}
        label={changesOf?.email ?? changesOf?.userId ?? ''}
        onClose={() => setChangesOf(null)}
      />
      {refreshable.length > 0 ? (
        <BulkRefreshDialog
          open={refreshing}
          userIds={refreshable}
          onClose={() => setRefreshing(false)}
          {...(onStarted && { onStarted })}
        />
      ) : null}
    </div>
  );
}
