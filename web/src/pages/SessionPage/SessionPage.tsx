import { problemTitle } from '@cache-doctor/shared';
import { useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { GenerateResult, PreviewWrite, SessionView } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog/ConfirmDialog';
import { CopyButton } from '../../components/CopyButton/CopyButton';
import { DateTime } from '../../components/DateTime/DateTime';
import { ErrorMessage } from '../../components/ErrorMessage/ErrorMessage';
import { Loading } from '../../components/Loading/Loading';
import { Page } from '../../components/Page/Page';
import { changedPlanOf, PlanChanged } from '../../components/PlanChanged/PlanChanged';
import { RawValue } from '../../components/RawValue/RawValue';
import { StatusBadge } from '../../components/StatusBadge/StatusBadge';
import { KeyWrites } from '../../diff/KeyWrites';
import { formatDuration } from '../../format';
import { fixSession, generateVideo, useSession, useSessionAction } from '../../hooks/useSession';
import { useStaff } from '../../hooks/useStaff';
import { paths } from '../../paths';
import { severityTone, textField } from './format';
import { GenerationSection } from './GenerationSection';
import { type Fact, KeySection } from './KeySection';
import { SessionCustomer, SessionTimeline } from './SessionStory';

const auditLink = (sessionId: string) => `${paths.audit}?${new URLSearchParams({ target: sessionId })}`;

function GenerationLink({ sessionId, generationId }: { sessionId: string; generationId: string }) {
  return <Link to={auditLink(sessionId)}>Generation {generationId}</Link>;
}

function Sections({ view }: { view: SessionView }) {
  const { keys, layout, sessionId } = view;
  const threeKey = layout === 'three-key';
  const statusValue = threeKey ? keys.webhook.value : keys.session.value;
  const status = textField(statusValue, 'status');
  const fileId = textField(statusValue, 'fileId');
  const error = textField(statusValue, 'error');
  const promptValue = threeKey ? keys.prompt.value : keys.session.value;
  const prompt = textField(promptValue, 'prompt');
  const sessionKey = <code>{keys.session.key}</code>;

  const statusFacts: Fact[] = [{ term: 'Status', value: status ?? 'none recorded' }];
  if (fileId)
    statusFacts.push({
      term: 'File id',
      value: <GenerationLink sessionId={sessionId} generationId={fileId} />,
    });
  if (error) statusFacts.push({ term: 'Error', value: error });
  const statusTime = textField(statusValue, 'timestamp');
  if (statusTime && status) statusFacts.push({ term: 'Updated', value: <DateTime at={statusTime} /> });

  const lookupFacts: Fact[] = threeKey
    ? [
        { term: 'File id', value: textField(keys.session.value, 'fileId') ?? 'none' },
        { term: 'Updated', value: <DateTime at={textField(keys.session.value, 'timestamp')} /> },
      ]
    : [
        {
          term: 'Layout',
          value: 'session-only: this one record holds the prompt, the choices and the status',
        },
      ];

  const promptFacts: Fact[] = [
    { term: 'Prompt', value: prompt ?? 'none' },
    ...(prompt ? [{ term: 'Length', value: `${prompt.length} characters` }] : []),
    {
      term: 'Saved',
      value: <DateTime at={textField(promptValue, threeKey ? 'timestamp' : 'createdAt')} />,
    },
  ];

  return (
    <div className="panels">
      <KeySection
        title="Webhook status"
        keyView={threeKey ? keys.webhook : null}
        storedIn={<>the status fields of {sessionKey} (session-only layout)</>}
        exists={threeKey ? keys.webhook.exists : status !== null}
        ttl={threeKey ? keys.webhook.ttl : keys.session.ttl}
        facts={statusFacts}
        {...(threeKey && { raw: keys.webhook.raw })}
      />
      <KeySection
        title="Session lookup"
        keyView={keys.session}
        exists={keys.session.exists}
        ttl={keys.session.ttl}
        facts={lookupFacts}
        raw={keys.session.raw}
      />
      <KeySection
        title="Prompt"
        keyView={threeKey ? keys.prompt : null}
        storedIn={<>the prompt field of {sessionKey} (session-only layout)</>}
        exists={threeKey ? keys.prompt.exists : prompt !== null}
        ttl={threeKey ? keys.prompt.ttl : keys.session.ttl}
        facts={promptFacts}
        {...(threeKey && { raw: keys.prompt.raw })}
      />
      <GenerationSection view={view} />
    </div>
  );
}

/** A fix's or generation's writes as diffs, each key with the expiry it gets. */
function Writes({ writes }: { writes: readonly Extract<PreviewWrite, { ttlSeconds: number }>[] }) {
  return (
    <KeyWrites
      writes={writes}
      label="Planned writes"
      note={(write) => (
        <span className="muted">
          {write.before === null ? 'created' : 'merged'}, expires in {formatDuration(write.ttlSeconds)}
        </span>
      )}
    />
  );
}

type Done = { kind: 'fix'; auditId: string | null } | { kind: 'generate'; result: GenerateResult };

function Diagnosis({ view, onDone }: { view: SessionView; onDone: (done: Done) => void }) {
  const id = useId();
  const { can } = useStaff();
  const { diagnosis, sessionId, previews } = view;
  const [dialog, setDialog] = useState<'fix' | 'generate' | null>(null);
  // the apply carries the id of the plan shown; the re-read after a 409 PLAN_CHANGED shows the new one
  const fix = useSessionAction(() => fixSession(sessionId, previews.planIds.fixSession));
  // an earlier start with an unknown outcome: a new attempt is a second, explicit confirmation
  const retryUnknown = view.outcomeUnknown !== null;
  const generate = useSessionAction(() =>
    generateVideo(sessionId, { retryUnknown, planId: previews.planIds.generate }),
  );
  /** the writes shown when the apply found the plan changed, to say what differs now */
  const [changedFrom, setChangedFrom] = useState<readonly PreviewWrite[] | null>(null);
  const planChanged = (shown: readonly PreviewWrite[]) => (error: unknown) => {
    if (changedPlanOf(error)) setChangedFrom(shown);
  };
  const canFix =
    diagnosis.fixes.includes('fix-session') && can('fix-session') && previews.fixSession !== null;
  const generateFits = diagnosis.fixes.includes('generate') && previews.generate !== null;
  const canGenerate = generateFits && can('generate') && view.generationConfigured;
  const close = () => {
    setDialog(null);
    setChangedFrom(null);
    fix.reset();
    generate.reset();
  };

  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Diagnosis</h2>
        <StatusBadge tone={severityTone(diagnosis.severity)}>{problemTitle(diagnosis.code)}</StatusBadge>
      </div>
      <p>
        {diagnosis.message} <span className="problem-code">{diagnosis.code}</span>
      </p>
      <p className="muted">
        {view.stripe
          ? `Stripe: checkout ${view.stripe.status ?? 'unknown'}, payment ${view.stripe.paymentStatus ?? 'unknown'}.`
          : view.stripeNote}{' '}
        Layout: {view.layout === 'three-key' ? 'three keys (older)' : 'session record only (current)'}.
      </p>
      {generateFits && !view.generationConfigured ? (
        <p className="muted">
          "Generate video" is not offered: no generation API is configured (GENERATION_API_URL). Ask an
          administrator to configure it.
        </p>
      ) : null}
      {diagnosis.fixes.includes('fix-session') && previews.fixBlocked ? (
        <p className="muted">"Mark as failed" is not offered now: {previews.fixBlocked}</p>
      ) : null}
      {canFix || canGenerate ? (
        <div className="page-actions">
          {canFix ? (
            <button type="button" className="button button-primary" onClick={() => setDialog('fix')}>
              Mark as failed
            </button>
          ) : null}
          {canGenerate ? (
            <button type="button" className="button" onClick={() => setDialog('generate')}>
              Generate video
            </button>
          ) : null}
        </div>
      ) : null}
      <ConfirmDialog
        open={dialog === 'fix'}
        title="Mark as failed"
        confirmLabel="Mark as failed"
        onCancel={close}
        pending={fix.isPending}
        error={fix.error}
        onConfirm={() =>
          fix.mutate(undefined, {
            onSuccess: (result) => {
              close();
              onDone({ kind: 'fix', auditId: result.auditId });
            },
            onError: planChanged(previews.fixSession ?? []),
          })
        }
      >
        <p>
          Records the error status, so the user sees what happened instead of "File Not Found" — they still
          get no video; "Generate video" is what makes it. Existing data is kept (merged, never replaced); if
          a status arrives meanwhile nothing is written. You can undo it from the audit log.
        </p>
        {changedFrom ? <PlanChanged shown={changedFrom} now={previews.fixSession ?? []} /> : null}
        <Writes writes={previews.fixSession ?? []} />
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'generate'}
        title="Generate video"
        confirmLabel="Generate video"
        onCancel={close}
        pending={generate.isPending}
        error={generate.error}
        onConfirm={() =>
          generate.mutate(undefined, {
            onSuccess: (result) => {
              close();
              if ('outcome' in result) onDone({ kind: 'generate', result });
            },
            onError: planChanged(previews.generate?.writes ?? []),
          })
        }
      >
        {changedFrom ? <PlanChanged shown={changedFrom} now={previews.generate?.writes ?? []} /> : null}
        {retryUnknown ? (
          <p className="notice notice-warning" role="alert">
            An earlier start has an unknown outcome — the generation API may have started it. Generating again
            may make a second paid video. Confirm only if you have checked that it did not start.
          </p>
        ) : null}
        {previews.generate ? (
          <>
            <p>
              Starts the video the user paid for with the generation API, once: a second click returns the
              same generation. Sends {previews.generate.request.width}×{previews.generate.request.height},{' '}
              {previews.generate.request.duration} s, {previews.generate.request.batch_size} video(s) with the
              prompt:
            </p>
            <RawValue>{previews.generate.request.prompt}</RawValue>
            <p>Then records it (the generation id replaces the placeholder):</p>
            <Writes writes={previews.generate.writes} />
          </>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}

function DoneNotice({ done, sessionId }: { done: Done; sessionId: string }) {
  if (done.kind === 'fix')
    return (
      <p role="status" className="notice notice-ok">
        Wrote the error status. <Link to={auditLink(sessionId)}>See it in the audit log</Link> to undo it.
      </p>
    );
  const { result } = done;
  return (
    <p role="status" className="notice notice-ok">
      {result.outcome === 'started' ? 'Generation started: ' : 'This session already had a generation: '}
      <GenerationLink sessionId={sessionId} generationId={result.generationId} />.
    </p>
  );
}

/** `/sessions/:sessionId`: a Stripe Checkout Session, its Redis records, the diagnosis and repairs. */
export function SessionPage() {
  const { sessionId = '' } = useParams();
  const { data, error, isPending, refetch } = useSession(sessionId);
  const [done, setDone] = useState<(Done & { sessionId: string }) | null>(null);

  return (
    <Page title={sessionId} heading={<code className="id-heading">{sessionId}</code>}>
      <p className="lede">
        Stripe checkout session <CopyButton text={sessionId} label="Copy session id" />
      </p>
      {isPending ? <Loading label="Reading the session from Redis and Stripe…" /> : null}
      {error ? (
        <ErrorMessage title="Could not load the session" error={error} onRetry={() => void refetch()} />
      ) : null}
      {done?.sessionId === sessionId ? <DoneNotice done={done} sessionId={sessionId} /> : null}
      <SessionCustomer sessionId={sessionId} />
      {data ? (
        <div className="stack">
          <Diagnosis
            key={data.sessionId}
            view={data}
            onDone={(result) => setDone({ ...result, sessionId })}
          />
          <Sections view={data} />
          <SessionTimeline sessionId={sessionId} />
        </div>
      ) : null}
    </Page>
  );
}
