/** A polite, announced loading line. */
export function Loading({ label }: { label: string }) {
  return (
    <p role="status" className="loading">
      <span aria-hidden="true" className="spinner" />
      {label}
    </p>
  );
}
