import type { InferResponseType } from 'hono/client';
import type { client } from './client';

/**
 * Every payload type the web uses, derived from the server's routes (`hc<AppType>` and
 * `InferResponseType`), never hand-copied: a changed route breaks the build here, in one file.
 */

type UserRoutes = (typeof client.api.users)[':userId'];
type SessionRoutes = (typeof client.api.sessions)[':sessionId'];
type JobRoutes = (typeof client.api.jobs)[':id'];

export type AuthConfig = InferResponseType<typeof client.auth.config.$get, 200>;
export type DemoSignIn = InferResponseType<typeof client.auth.demo.$post, 200>;
export type Me = InferResponseType<typeof client.api.me.$get, 200>;
export type Status = InferResponseType<typeof client.api.status.$get, 200>;

export type SearchResults = InferResponseType<typeof client.api.search.$get, 200>;
export type SearchResult = SearchResults['results'][number];
export type UserHealth = InferResponseType<UserRoutes['health']['$get'], 200>;
export type UserSync = InferResponseType<UserRoutes['sync']['$get'], 200>;
export type RefreshResult = InferResponseType<UserRoutes['refresh']['$post'], 200>;

export type AuditPage = InferResponseType<typeof client.api.audit.$get, 200>;
export type AuditEntry = AuditPage['entries'][number];
export type UndoResult = InferResponseType<(typeof client.api.audit)[':id']['undo']['$post'], 200>;

export type SessionView = InferResponseType<SessionRoutes['$get'], 200>;
export type KeyView = SessionView['keys']['webhook'];
/**
 * One key's write as a preview shows it: shared's `PlannedWrite` as the routes send it. A refresh's
 * (and an undo's) plan says which keys stay `unchanged`; a session fix's or generation's gives each
 * key's expiry.
 */
export type PreviewWrite =
  | RefreshResult['plan'][number]
  | NonNullable<SessionView['previews']['fixSession']>[number];
export type FixResult = InferResponseType<SessionRoutes['fix']['$post'], 200>;
/** a start's answer (the dry run's preview is the other 200 shape) */
export type GenerateResult = Extract<
  InferResponseType<SessionRoutes['generate']['$post'], 200 | 202>,
  { outcome: unknown }
>;
export type UnprocessedPage = InferResponseType<typeof client.api.sessions.$get, 200>;
export type UnprocessedSession = UnprocessedPage['sessions'][number];
export type PromptPage = InferResponseType<typeof client.api.prompts.$get, 200>;
export type PromptStats = InferResponseType<typeof client.api.stats.$get, 200>;

export type JobList = InferResponseType<typeof client.api.jobs.$get, 200>;
export type Job = JobList['jobs'][number];
export type JobDetail = InferResponseType<JobRoutes['$get'], 200>;
export type JobResult = NonNullable<JobDetail['results']>[number];
export type JobSessionResult = NonNullable<JobDetail['sessionResults']>[number];

export type Metrics = InferResponseType<typeof client.api.metrics.$get, 200>;
export type MetricAlert = Metrics['alerts'][number];

export type AttentionPage = InferResponseType<typeof client.api.attention.$get, 200>;
export type AttentionUser = AttentionPage['users'][number];
export type ProblemTrend = InferResponseType<typeof client.api.attention.trend.$get, 200>;
export type UserPurchases = InferResponseType<UserRoutes['sessions']['$get'], 200>;
export type Purchase = UserPurchases['sessions'][number];
export type Timeline = InferResponseType<UserRoutes['timeline']['$get'], 200>;
export type TimelineItem = Timeline['items'][number];
export type Dashboards = InferResponseType<typeof client.api.dashboards.$get, 200>;
export type SessionStory = InferResponseType<SessionRoutes['timeline']['$get'], 200>;
/** a bulk job's preview (`dryRun`): what it will touch, and the `planId` to start exactly that with */
export type JobPlanPreview = Extract<InferResponseType<typeof client.api.jobs.$post, 200>, { plan: unknown }>;
export type JobPlan = JobPlanPreview['plan'];
