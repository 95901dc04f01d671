import type { MetricsRange, PolicyActivityRange, TrendRange } from '@cache-doctor/shared';

/**
 * Every query key in one place (bull-board's pattern), so invalidation after a mutation names the
 * same arrays the queries were cached under. Keys nest from broad to narrow: invalidating
 * `queryKeys.users.all` refetches every user query, `queryKeys.users.detail(id)` one user's.
 */

export interface AuditFilters {
  actor?: string;
  target?: string;
  limit?: number;
  cursor?: string;
}

export const queryKeys = {
  authConfig: ['auth-config'] as const,
  me: ['me'] as const,
  status: ['status'] as const,
  search: (q: string) => ['search', q] as const,
  users: {
    all: ['users'] as const,
    detail: (userId: string) => ['users', userId] as const,
    health: (userId: string) => ['users', userId, 'health'] as const,
    sync: (userId: string) => ['users', userId, 'sync'] as const,
    customer: (userId: string) => ['users', userId, 'customer'] as const,
    purchases: (userId: string) => ['users', userId, 'purchases'] as const,
    timeline: (userId: string) => ['users', userId, 'timeline'] as const,
  },
  /** "Needs attention": the latest sweep's list, by problem filter; the problems trend by range */
  attention: {
    all: ['attention'] as const,
    list: (problem: string) => ['attention', 'list', problem] as const,
    trend: (range: TrendRange) => ['attention', 'trend', range] as const,
  },
  dashboards: ['dashboards'] as const,
  sessions: {
    all: ['sessions'] as const,
    detail: (sessionId: string) => ['sessions', sessionId] as const,
    timeline: (sessionId: string) => ['sessions', sessionId, 'timeline'] as const,
    unprocessed: (since: string) => ['sessions', 'unprocessed', since] as const,
    prompts: (params: { limit?: number; cursor?: string }) => ['sessions', 'prompts', params] as const,
    stats: ['sessions', 'stats'] as const,
  },
  metrics: {
    all: ['metrics'] as const,
    range: (range: MetricsRange) => ['metrics', range] as const,
  },
  jobs: {
    all: ['jobs'] as const,
    detail: (jobId: string) => ['jobs', jobId] as const,
    /** `version`: the job's state and progress, so the results follow it as it moves */
    results: (jobId: string, problem: string, version: string) => ['jobs', jobId, problem, version] as const,
    changes: (jobId: string, target: string) => ['jobs', jobId, 'changes', target] as const,
  },
  audit: {
    all: ['audit'] as const,
    list: (filters: AuditFilters) => ['audit', filters] as const,
  },
  /** the automatic repairs; their activity sits under them, so a change or a pause re-reads it too */
  policies: {
    all: ['policies'] as const,
    activity: (range: PolicyActivityRange) => ['policies', 'activity', range] as const,
  },
};

/**
 * What each kind of mutation can change, so it re-reads every query that may now be stale. Any
 * write adds an audit entry; an undo restores keys of any kind (a user's refresh, a session's fix,
 * a job's batch), so it re-reads users and sessions alike.
 */
export const staleAfter = {
  userWrite: (userId: string) => [queryKeys.users.detail(userId), queryKeys.audit.all],
  /** the user pages list their sessions with a diagnosis, so they change with the session */
  sessionWrite: [queryKeys.sessions.all, queryKeys.users.all, queryKeys.audit.all],
  undo: [queryKeys.users.all, queryKeys.sessions.all, queryKeys.audit.all],
  /** a sweep or bulk refresh changes "Needs attention" when it ends */
  jobs: [queryKeys.jobs.all, queryKeys.attention.all],
  /** a bulk fix or generate, once it ends, has written sessions as one fix or generate does */
  sessionJob: [queryKeys.sessions.all, queryKeys.users.all, queryKeys.audit.all],
  /** an admin's change to a policy, or a pause, is audited */
  policyWrite: [queryKeys.policies.all, queryKeys.audit.all],
} as const;
