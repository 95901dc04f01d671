import { type ReactNode, useId } from 'react';

/** Says what would be here and why it is not (yet), instead of a blank area. */
export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="empty-state" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
