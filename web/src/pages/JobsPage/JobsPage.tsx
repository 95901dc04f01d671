import type { Job } from '../../api/types';
import { EmptyState } from '../../components/EmptyState/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { Page } from '../../components/Page/Page';
import { useJobs } from '../../hooks/useJobs';
import { useSearchParamsEditor } from '../../hooks/useSearchParamsEditor';
import './JobsPage.css';
import { JobCard, LinkedJob } from './JobCard';
import { RunningTogether } from './OverlapWarning';
import { StartButtons } from './StartButtons';

/**
 * The view lives in the URL (`?job=<id>&problem=<CODE>`), so a link reopens the same job with the
 * same filter and Back undoes the last change. No `job`: the newest job is open; `job=` (empty):
 * none is.
 */
function useJobsView() {
  const [params, update] = useSearchParamsEditor();
  return {
    /** null: not chosen (the newest job is open). */
    jobId: params.get('job'),
    problem: params.get('problem') ?? '',
    /** Opens one job (or none, with null); its problem filter starts empty. */
    setJob: (jobId: string | null) =>
      update((next) => {
        next.set('job', jobId ?? '');
        next.delete('problem');
      }),
    /** Filters one job's results (naming the job, so the link stays exact when a newer one starts). */
    setProblem: (jobId: string, problem: string) =>
      update((next) => {
        next.set('job', jobId);
        if (problem) next.set('problem', problem);
        else next.delete('problem');
      }),
  };
}

/** SPEC §9: start jobs (per role), follow their progress, cancel, read per-user results. */
export function JobsPage() {
  const jobs = useJobs();
  const view = useJobsView();
  const list = jobs.data?.jobs;
  const openId = view.jobId ?? list?.[0]?.id ?? null;
  const linkedId = list && view.jobId && !list.some((job) => job.id === view.jobId) ? view.jobId : null;
  // a job just started opens, so its progress is in view whichever job was open before
  const openStarted = (jobId: string) => view.setJob(jobId);
  const cardProps = (job: Job) => {
    const open = job.id === openId;
    return {
      job,
      open,
      onToggle: () => view.setJob(open ? null : job.id),
      problem: open ? view.problem : '',
      onProblem: (code: string) => view.setProblem(job.id, code),
      onStarted: openStarted,
    };
  };
  return (
    <Page heading="Jobs" actions={<StartButtons onStarted={openStarted} />}>
      {jobs.isLoading ? <Loading label="Loading jobs…" /> : null}
      {jobs.isError ? (
        <ErrorMessage title="Could not load the jobs" error={jobs.error} onRetry={() => jobs.refetch()} />
      ) : null}
      {jobs.data && jobs.data.jobs.length === 0 ? (
        <EmptyState title="No jobs yet">
          <p>
            A health sweep diagnoses every user without writing anything; a bulk refresh rewrites a list of
            users; a rebuild rewrites everyone.
          </p>
        </EmptyState>
      ) : null}
      {list ? <RunningTogether jobs={list} /> : null}
      <div className="jobs">
        {linkedId ? (
          <LinkedJob
            key={linkedId}
            jobId={linkedId}
            onToggle={() => view.setJob(null)}
            problem={view.problem}
            onProblem={(code) => view.setProblem(linkedId, code)}
            onStarted={openStarted}
          />
        ) : null}
        {list?.map((job) => (
          <JobCard key={job.id} {...cardProps(job)} />
        ))}
      </div>
    </Page>
  );
}
