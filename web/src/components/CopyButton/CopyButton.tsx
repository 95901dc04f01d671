import { useEffect, useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

/**
 * Copies `text`; the outcome is announced politely and shown for a few seconds. Small: it reads
 * "Copy" beside the value, and its name says what it copies ("Copy customer id").
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 3000);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };

  return (
    <span className="copy">
      <button
        type="button"
        className="button button-quiet button-small"
        aria-label={label}
        onClick={() => void copy()}
      >
        Copy
      </button>
      <span role="status" className="copy-status muted">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Could not copy; select the text instead' : ''}
      </span>
    </span>
  );
}

/** The kinds of id the dashboard shows; each copy button is named after its kind. */
export type CopyIdKind = 'user' | 'customer' | 'session' | 'subscription' | 'generation' | 'job' | 'audit';

/** An id as code with its copy button ("Copy subscription id"): every id a page shows can be copied. */
export function CopyId({ id, kind }: { id: string; kind: CopyIdKind }) {
  return (
    <span>
      <code>{id}</code> <CopyButton text={id} label={`Copy ${kind} id`} />
    </span>
  );
}
