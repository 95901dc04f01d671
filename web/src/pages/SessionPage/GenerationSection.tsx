import { useId } from 'react';
import type { SessionView } from '../../api/types';
import { CopyId } from '../../components/CopyButton/CopyButton';
import { DateTime } from '../../components/DateTime/DateTime';
import { StatusBadge } from '../../components/StatusBadge/StatusBadge';

const STATE_WORDS = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  unknown: 'Unknown',
} as const;

const STATE_TONE = { running: 'info', completed: 'ok', failed: 'danger', unknown: 'warning' } as const;

/**
 * SPEC §9 "Generation": what the generation API says about the session's started video — its
 * state, the file when it is done, the provider's error when it failed, and when it was last asked.
 * A start whose answer never came is shown too: the video may exist.
 */
export function GenerationSection({ view }: { view: SessionView }) {
  const id = useId();
  const { generation, outcomeUnknown, generationConfigured } = view;
  return (
    <section className="card panel" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>Generation</h2>
        {generation ? (
          <StatusBadge tone={STATE_TONE[generation.state]}>{STATE_WORDS[generation.state]}</StatusBadge>
        ) : null}
      </div>
      {outcomeUnknown ? (
        <p className="notice notice-warning" role="note">
          A start on <DateTime at={outcomeUnknown.at} /> by {outcomeUnknown.actorName ?? outcomeUnknown.actor}
          : {outcomeUnknown.message}. Starting again could make a second paid video.
        </p>
      ) : null}
      {generation ? (
        <dl className="facts">
          <div>
            <dt>File id</dt>
            <dd>
              <CopyId id={generation.fileId} kind="generation" />
            </dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>{STATE_WORDS[generation.state]}</dd>
          </div>
          {generation.url ? (
            <div>
              <dt>File</dt>
              <dd>
                <a href={generation.url} target="_blank" rel="noreferrer noopener">
                  Open the video
                </a>
              </dd>
            </div>
          ) : null}
          {generation.error ? (
            <div>
              <dt>{generation.state === 'failed' ? 'Error' : 'Note'}</dt>
              <dd>{generation.error}</dd>
            </div>
          ) : null}
          <div>
            <dt>Last asked</dt>
            <dd>
              <DateTime at={generation.checkedAt} />
            </dd>
          </div>
        </dl>
      ) : (
        <p className="muted">
          {generationConfigured
            ? 'No generation has been started for this session.'
            : 'No generation API is configured (GENERATION_API_URL), so no generation can be read or started here.'}
        </p>
      )}
    </section>
  );
}
