import {
  POLICY_DESCRIPTIONS,
  POLICY_MODES,
  type PoliciesResponse,
  type PolicyMode,
  type PolicyView,
} from '@cache-doctor/shared';
import { Link } from 'react-router';
import { DataTable } from '../../components/DataTable/DataTable';
import { EmptyState } from '../../components/EmptyState/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { Page } from '../../components/Page/Page';
import { ProblemTitle } from '../../components/ProblemTitle/ProblemTitle';
import { UserLabel } from '../../components/UserLabel/UserLabel';
import { formatDateTime, formatDurationMs } from '../../format';
import { usePauseAll, usePolicies, useUpdatePolicy } from '../../hooks/usePolicies';
import { useStaff } from '../../hooks/useStaff';
import { paths } from '../../paths';
import { PolicyActivityCharts } from './PolicyActivityCharts';

const MODE_WORDS: Record<PolicyMode, string> = { off: 'Off', 'dry-run': 'Dry run', on: 'On' };

const targetLink = (target: string) =>
  target.startsWith('cs_') ? paths.session(target) : target.startsWith('user_') ? paths.user(target) : null;

/** Who each user target is, from the policies' answer (issue #21: people, not ids). */
type People = NonNullable<PoliciesResponse['people']>;

function Target({ target, people }: { target: string; people: People }) {
  const person = people[target];
  if (person) return <UserLabel userId={target} email={person.email} name={person.name} />;
  const to = targetLink(target);
  return to ? <Link to={to}>{target}</Link> : <span>{target}</span>;
}

/** One policy: what it does, its mode and limits, what it did and what a dry run would do. */
function PolicyCard({
  policy,
  canChange,
  people,
}: {
  policy: PolicyView;
  canChange: boolean;
  people: People;
}) {
  const update = useUpdatePolicy();
  const about = POLICY_DESCRIPTIONS[policy.name];
  const headingId = `policy-${policy.name}`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{policy.name}</h2>
      <p>
        {about.trigger} → <strong>{about.action}</strong> ({about.codes.join(', ')})
      </p>
      <dl className="facts">
        <dt>Mode</dt>
        <dd>{MODE_WORDS[policy.mode]}</dd>
        <dt>Limit</dt>
        <dd>
          {policy.actionsLastHour} of {policy.maxPerHour} actions in the last hour
        </dd>
        {policy.minAgeMs ? (
          <>
            <dt>Minimum age</dt>
            <dd>{formatDurationMs(policy.minAgeMs)}</dd>
          </>
        ) : null}
      </dl>
      {policy.stopped ? (
        <p role="status" className="notice notice-danger">
          Stopped itself at {formatDateTime(policy.stopped.at)}: {policy.stopped.reason}
        </p>
      ) : null}
      {canChange ? (
        <fieldset>
          <legend>Mode of {policy.name}</legend>
          {POLICY_MODES.map((mode) => (
            <label key={mode}>
              <input
                type="radio"
                name={`mode-${policy.name}`}
                checked={policy.mode === mode}
                disabled={update.isPending}
                onChange={() => update.mutate({ name: policy.name, change: { mode } })}
              />{' '}
              {MODE_WORDS[mode]}
            </label>
          ))}
        </fieldset>
      ) : null}
      {update.error ? <ErrorMessage title="Could not change the policy" error={update.error} /> : null}
      {policy.mode === 'dry-run' ? (
        <>
          <h3>What it would do</h3>
          {policy.wouldDo && policy.wouldDo.length > 0 ? (
            <DataTable
              columns={['Target', 'Problem', 'Since', 'Within the hourly limit']}
              caption={`${policy.wouldDo.length === 1 ? '1 target' : `${policy.wouldDo.length} targets`} at ${policy.wouldDoAt ? formatDateTime(policy.wouldDoAt) : '—'}`}
              rows={policy.wouldDo}
              rowKey={(item) => item.target}
              renderRow={(item) => (
                <tr>
                  <th scope="row">
                    <Target target={item.target} people={people} />
                  </th>
                  <td>
                    <ProblemTitle code={item.problem} />
                  </td>
                  <td>{formatDateTime(item.since)}</td>
                  <td>{item.withinLimit ? 'Yes' : 'No: the limit would stop it first'}</td>
                </tr>
              )}
            />
          ) : (
            <p>Nothing, as of the latest sweep.</p>
          )}
        </>
      ) : null}
      <h3>Last actions</h3>
      {policy.lastActions.length > 0 ? (
        <DataTable
          columns={['When', 'Target', 'Result', 'What happened']}
          caption={`Last actions of ${policy.name}, newest first`}
          rows={policy.lastActions}
          rowKey={(action) => `${action.at} ${action.target}`}
          renderRow={(action) => (
            <tr>
              <td>{formatDateTime(action.at)}</td>
              <th scope="row">
                <Target target={action.target} people={people} />
              </th>
              <td>{action.result}</td>
              <td>{action.message}</td>
            </tr>
          )}
        />
      ) : (
        <p>None yet.</p>
      )}
    </section>
  );
}

/** "Automatic repairs" (SPEC §3, §6.4): everyone reads; admins change modes and pause them all. */
export function PoliciesPage() {
  const { data, error, isLoading, refetch } = usePolicies();
  const { can } = useStaff();
  const pause = usePauseAll();
  const canChange = can('policies');
  const actions =
    canChange && data ? (
      <button
        type="button"
        className="button"
        disabled={pause.isPending}
        onClick={() => pause.mutate(!data.paused)}
      >
        {data.paused ? 'Resume all' : 'Pause all'}
      </button>
    ) : null;
  return (
    <Page heading="Automatic repairs" actions={actions}>
      <p>
        Repairs made on their own after each scheduled sweep, through the same confirmed plans as a click,
        audited as <code>policy:&lt;name&gt;</code> and undoable from the{' '}
        <Link to={paths.audit}>Audit log</Link>. A policy never acts on what a person changed in the last
        hour, and switches itself off after three failures in a row or at its hourly limit.
      </p>
      {pause.error ? <ErrorMessage title="Could not pause or resume" error={pause.error} /> : null}
      {isLoading ? <Loading label="Loading the policies…" /> : null}
      {error ? (
        <ErrorMessage title="Could not load the policies" error={error} onRetry={() => refetch()} />
      ) : null}
      {data?.paused ? (
        <p role="status" className="notice notice-warning">
          Every automatic repair is paused
          {data.pausedAt ? ` since ${formatDateTime(data.pausedAt)}` : ''}
          {data.pausedBy ? ` by ${data.pausedBy}` : ''}.
        </p>
      ) : null}
      {data && data.policies.length === 0 ? (
        <EmptyState title="No policies">None are defined.</EmptyState>
      ) : null}
      {data?.policies.map((policy) => (
        <PolicyCard key={policy.name} policy={policy} canChange={canChange} people={data.people ?? {}} />
      ))}
      <PolicyActivityCharts />
    </Page>
  );
}
