import type { ReactNode } from 'react';
import { EmptyState } from '../EmptyState/EmptyState';

/**
 * The honest empty state of a page whose feature is still being built: what it will show, and that
 * nothing here reads or changes data yet. Replaced by the real view, not kept beside it.
 */
export function Planned({ what, children }: { what: string; children: ReactNode }) {
  return (
    <EmptyState title="What this page will show">
      <p>
        <strong>{what} is being built.</strong> Nothing on this page reads or changes data yet.
      </p>
      {children}
    </EmptyState>
  );
}
