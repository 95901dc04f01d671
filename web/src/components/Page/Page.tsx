import type { ReactNode } from 'react';

interface PageProps {
  /** The document title's first part; defaults to the heading. */
  title?: string;
  heading: ReactNode;
  /** Controls beside the heading (buttons, pickers). */
  actions?: ReactNode;
  children: ReactNode;
}

/** Every page: one <h1>, the document title, optional actions, then the content. */
export function Page({ title, heading, actions, children }: PageProps) {
  const documentTitle = `${title ?? (typeof heading === 'string' ? heading : '')} · Cache Doctor`;
  return (
    <>
      <title>{documentTitle}</title>
      <div className="page-heading">
        <h1>{heading}</h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
      {children}
    </>
  );
}
