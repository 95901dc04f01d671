import { type CreateJob, jobCsvFileName } from '@cache-doctor/shared';
import {
  keepPreviousData,
  type QueryKey,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useEffect } from 'react';
import { client, unwrap } from '../api/client';
import { queryKeys, staleAfter } from '../api/queryKeys';
import type { Job } from '../api/types';
import { useInvalidate } from './invalidate';

export const isActive = (job: Pick<Job, 'state'>) => job.state === 'queued' || job.state === 'running';

/** `GET /api/jobs`, refreshed every second while a job is queued or running. */
export function useJobs() {
  return useQuery({
    queryKey: queryKeys.jobs.all,
    queryFn: () => unwrap(client.api.jobs.$get()),
    refetchInterval: (query) => (query.state.data?.jobs.some(isActive) ? 1000 : false),
  });
}

/**
 * One job with its per-user results (those with problems or failures), optionally by problem code.
 * `version` (state and progress from the polled list) is part of the key, so the results follow
 * the job as it moves and are read once more when it ends; the previous rows stay up meanwhile.
 */
export function useJobResults(jobId: string, problem: string, version: string) {
  return useQuery({
    queryKey: queryKeys.jobs.results(jobId, problem, version),
    queryFn: () =>
      unwrap(
        client.api.jobs[':id'].$get({
          param: { id: jobId },
          query: { limit: '500', ...(problem ? { problem } : {}) },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** One job, with up to 500 results, polled every second until it ends (null: none to follow). */
export function useJob(jobId: string | null) {
  return useQuery({
    queryKey: queryKeys.jobs.detail(jobId ?? ''),
    queryFn: () =>
      unwrap(client.api.jobs[':id'].$get({ param: { id: jobId ?? '' }, query: { limit: '500' } })),
    enabled: jobId !== null,
    refetchInterval: (query) => (query.state.data && !isActive(query.state.data) ? false : 1000),
  });
}

/**
 * Once the followed job has ended, marks stale what it wrote (`keys`, e.g. `staleAfter.sessionJob`):
 * the lists on the page re-read their diagnoses. `keys` must be a stable array.
 */
export function useStaleAfterJobEnds(job: Pick<Job, 'state'> | undefined, keys: readonly QueryKey[]) {
  const queryClient = useQueryClient();
  const ended = job !== undefined && !isActive(job);
  useEffect(() => {
    if (!ended) return;
    for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
  }, [ended, keys, queryClient]);
}

/** `POST /api/jobs` with `dryRun`: what the job would touch, and the plan's id to start it with (SPEC §3). */
export function usePlanJob() {
  return useMutation({
    mutationFn: async (request: CreateJob) => {
      const planned = await unwrap(client.api.jobs.$post({ json: { ...request, dryRun: true } }));
      if (!('plan' in planned)) throw new Error('The server started a job instead of planning it.');
      return planned;
    },
  });
}

/** Starts a job; with the `planId` of its preview, only while that plan still holds (else 409 PLAN_CHANGED). */
export function useStartJob() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (request: CreateJob & { planId?: string }) => {
      const started = await unwrap(client.api.jobs.$post({ json: request }));
      if (started.jobId === null) throw new Error('The server planned the job instead of starting it.');
      return { ...started, jobId: started.jobId };
    },
    onSuccess: () => invalidate(staleAfter.jobs),
  });
}

export function useCancelJob() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (jobId: string) => unwrap(client.api.jobs[':id'].$delete({ param: { id: jobId } })),
    onSettled: () => invalidate(staleAfter.jobs),
  });
}

/**
 * The CSV needs the bearer token, so it is fetched and handed to the browser as a file. It follows
 * the page's filter (`problem`) and is named after the job and when it started, in the reader's time:
 * `sweep-2026-12-02-1403.csv`.
 */
export async function downloadResultsCsv(
  job: Pick<Job, 'id' | 'type' | 'createdAt'>,
  problem: string,
): Promise<void> {
  const response = await client.api.jobs[':id']['results.csv'].$get({
    param: { id: job.id },
    query: problem ? { problem } : {},
  });
  if (!response.ok) throw new Error(`The results could not be downloaded (HTTP ${response.status}).`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = jobCsvFileName(job.type, job.createdAt);
  link.click();
  URL.revokeObjectURL(url);
}

/** What a job wrote for one user (or session), from its batch's audit entry; null target: none asked. */
export function useJobResultChanges(jobId: string, target: string | null) {
  return useQuery({
    queryKey: queryKeys.jobs.changes(jobId, target ?? ''),
    queryFn: () =>
      unwrap(client.api.jobs[':id'].changes[':target'].$get({ param: { id: jobId, target: target ?? '' } })),
    enabled: target !== null,
  });
}
