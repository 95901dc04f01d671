import { type ReactNode, useId } from 'react';

/** A card of the Sessions page: a region named by its heading, with optional controls beside it. */
export function Section({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-heading">
        <h2 id={id}>{title}</h2>
        {actions ? <div className="filters-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}
