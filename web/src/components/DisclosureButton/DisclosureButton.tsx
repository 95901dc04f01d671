import type { ReactNode } from 'react';

interface DisclosureButtonProps {
  open: boolean;
  onToggle: () => void;
  /** the id of what it shows and hides */
  controls: string;
  /** the id of what it is about (a job's heading, an entry's target), for a unique accessible description */
  describedBy: string;
  className?: string;
  /** the words while closed and while open, e.g. "Show results" / "Hide results" */
  show: ReactNode;
  hide: ReactNode;
}

/** A quiet button that shows or hides a region, saying which (`aria-expanded`, `aria-controls`). */
export function DisclosureButton({
  open,
  onToggle,
  controls,
  describedBy,
  className,
  show,
  hide,
}: DisclosureButtonProps) {
  return (
    <button
      type="button"
      className={className ?? 'button button-quiet'}
      aria-expanded={open}
      aria-controls={controls}
      aria-describedby={describedBy}
      onClick={onToggle}
    >
      {open ? hide : show}
    </button>
  );
}
