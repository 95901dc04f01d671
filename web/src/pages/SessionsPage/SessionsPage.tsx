import { useState } from 'react';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { PromptPage, PromptStats } from '../../api/types';
import { DataTable } from '../../components/DataTable/DataTable';
import { DateTime } from '../../components/DateTime/DateTime';
import { EmptyState } from '../../components/EmptyState/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { Page } from '../../components/Page/Page';
import { ProblemTitle } from '../../components/ProblemTitle/ProblemTitle';
import { usePromptStats, usePrompts } from '../../hooks/usePrompts';
import { paths } from '../../paths';
import { Section } from './Section';
import { UnprocessedSessions } from './UnprocessedSessions';

function PromptRows({ page }: { page: PromptPage }) {
  return (
    <DataTable
      columns={['Session', 'Saved', 'Length', 'Diagnosis', 'Prompt']}
      rows={page.prompts}
      rowKey={(prompt) => prompt.sessionId}
      renderRow={(prompt) => (
        <tr>
          <td>
            <Link to={paths.session(prompt.sessionId)}>{prompt.sessionId}</Link>
          </td>
          <td>
            <DateTime at={prompt.timestamp} />
          </td>
          <td>{prompt.length}</td>
          <td>
            <ProblemTitle code={prompt.diagnosisCode} />
          </td>
          <td className="cell-value">
            {prompt.preview}
            {prompt.length > prompt.preview.length ? '…' : ''}
          </td>
        </tr>
      )}
    />
  );
}

/** Newest first, forward through the server's cursors; "Previous page" walks back the ones seen. */
function RecentPrompts() {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const query = usePrompts(cursor);
  const { data, error, isPending, refetch } = query;
  return (
    <Section title="Recent prompts">
      {isPending ? <Loading label="Scanning prompts…" /> : null}
      {error ? (
        <ErrorMessage title="Could not load the prompts" error={error} onRetry={() => void refetch()} />
      ) : null}
      {data && data.prompts.length === 0 ? (
        <p className="muted">No prompts in Redis{cursors.length > 0 ? ' past this point' : ''}.</p>
      ) : null}
      {data && data.prompts.length > 0 ? <PromptRows page={data} /> : null}
      <div className="filters-actions">
        <button
          type="button"
          className="button"
          disabled={cursors.length === 0}
          onClick={() => setCursors((seen) => seen.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          className="button"
          disabled={!data?.cursor || query.isPlaceholderData}
          onClick={() => {
            const next = data?.cursor;
            if (next) setCursors((seen) => [...seen, next]);
          }}
        >
          Next page
        </button>
      </div>
    </Section>
  );
}

/** Counts by key, most first; `codes`: the keys are problem codes, each shown titled with its code. */
function Counts({
  label,
  counts,
  codes = false,
}: {
  label: string;
  counts: Record<string, number | undefined>;
  codes?: boolean;
}) {
  const entries = Object.entries(counts)
    .filter(([, count]) => count !== undefined)
    .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0));
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        {entries.length === 0
          ? 'none'
          : entries.map(([key, count], index) => (
              <span key={key}>
                {index > 0 ? ', ' : null}
                {codes ? <ProblemTitle code={key} /> : key.toLowerCase().replaceAll('_', ' ')}: {count}
              </span>
            ))}
      </dd>
    </div>
  );
}

function Extreme({ label, extreme }: { label: string; extreme: PromptStats['longest'] }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        {extreme ? (
          <>
            {extreme.length} characters,{' '}
            <Link to={paths.session(extreme.sessionId)}>{extreme.sessionId}</Link> (
            <DateTime at={extreme.date} />
            ): “{extreme.preview}”
          </>
        ) : (
          'none'
        )}
      </dd>
    </div>
  );
}

function Histogram({ stats }: { stats: PromptStats }) {
  return (
    <figure className="stack">
      <figcaption className="plan-label">Prompt length (characters)</figcaption>
      <div role="img" aria-label="Bar chart of prompt lengths; the same numbers are in the table below">
        <BarChart
          width={560}
          height={240}
          data={stats.histogram}
          style={{ maxWidth: '100%' }}
          accessibilityLayer={false}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="bucket" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Bar dataKey="count" name="Prompts" fill="var(--accent, #2563eb)" />
        </BarChart>
      </div>
      <DataTable
        caption="Length histogram"
        columns={['Length', 'Prompts', 'Share']}
        rows={stats.histogram}
        rowKey={(bucket) => bucket.bucket}
        renderRow={(bucket) => (
          <tr>
            <th scope="row">{bucket.bucket}</th>
            <td>{bucket.count}</td>
            <td>{bucket.percentage}%</td>
          </tr>
        )}
      />
    </figure>
  );
}

function Stats() {
  const { data, error, isPending, refetch } = usePromptStats();
  return (
    <Section title="Prompt statistics">
      {isPending ? <Loading label="Scanning every prompt…" /> : null}
      {error ? (
        <ErrorMessage title="Could not load the statistics" error={error} onRetry={() => void refetch()} />
      ) : null}
      {data && data.totalPrompts === 0 ? (
        <EmptyState title="No prompts">
          <p>Redis holds no prompt records, so there is nothing to count.</p>
        </EmptyState>
      ) : null}
      {data && data.totalPrompts > 0 ? (
        <div className="stack">
          <dl className="key-values">
            <div>
              <dt>Total prompts</dt>
              <dd>{data.totalPrompts}</dd>
            </div>
            <div>
              <dt>Total length</dt>
              <dd>{data.totalLength} characters</dd>
            </div>
            <div>
              <dt>Average length</dt>
              <dd>{data.averageLength.toFixed(1)} characters</dd>
            </div>
            <Extreme label="Longest" extreme={data.longest} />
            <Extreme label="Shortest" extreme={data.shortest} />
            <Counts label="By diagnosis (from Redis alone)" counts={data.byDiagnosis} codes />
            <Counts label="By webhook status" counts={data.byWebhookStatus} />
          </dl>
          <Histogram stats={data} />
          <DataTable
            caption="Prompts per day"
            columns={['Day (UTC)', 'Prompts']}
            rows={data.perDay}
            rowKey={(day) => day.date}
            renderRow={(day) => (
              <tr>
                <th scope="row">{day.date}</th>
                <td>{day.count}</td>
              </tr>
            )}
          />
          <p className="muted">
            Scanned {data.scannedKeys} keys in {data.durationMs} ms with SCAN (never KEYS).
          </p>
        </div>
      ) : null}
    </Section>
  );
}

/** `/sessions`: unprocessed paid sessions, recent prompts (paged) and the old analytics script's statistics. */
export function SessionsPage() {
  return (
    <Page heading="Sessions">
      <p className="lede">
        Checkout sessions: the paid ones the app never processed, and every session by its prompt. An exact
        checkout session id (cs_test_… or cs_live_…) in the Search box opens that session.
      </p>
      <div className="stack">
        <UnprocessedSessions />
        <RecentPrompts />
        <Stats />
      </div>
    </Page>
  );
}
