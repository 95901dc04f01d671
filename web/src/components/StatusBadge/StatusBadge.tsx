export type BadgeTone = 'ok' | 'danger' | 'warning' | 'info' | 'neutral';

const ICONS: Record<BadgeTone, string> = { ok: '✓', danger: '✕', warning: '!', info: 'i', neutral: '–' };

/** A state in words, with colour and an icon as extras (never colour alone). */
export function StatusBadge({ tone, children }: { tone: BadgeTone; children: string }) {
  return (
    <span className={`badge badge-${tone}`}>
      <span aria-hidden="true" className="badge-icon">
        {ICONS[tone]}
      </span>
      {/* its own element, so the word alone is findable by its exact text */}
      <span className="badge-label">{children}</span>
    </span>
  );
}
