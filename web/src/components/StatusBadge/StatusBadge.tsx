export type BadgeTone = 'ok' | 'danger' | 'warning' | 'info' | 'neutral';

const ICONS: Record<BadgeTone, string> = { ok: '✓', danger: '✕', warning: '!', info: 'i', neutral: '–' };

/** A state in words, with colour and an icon as extras (never colour alone). */
export function StatusBadge({ tone, children }: { tone: BadgeTone; children: string }) {
  return (
    <span className={`badge badge-${tone}`}>
      <span aria-hidden="true" className="badge-icon">
        {ICONS[tone]}
      </span>
      {children}
    </span>
  );
}
