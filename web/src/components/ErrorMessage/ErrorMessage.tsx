import { errorMessage } from '../../api/errors';

interface ErrorMessageProps {
  /** What failed, e.g. "Could not load the status". */
  title: string;
  error: unknown;
  onRetry?: () => void;
}

/** Any failed query or mutation: what failed, the server's message, and a way to try again. */
export function ErrorMessage({ title, error, onRetry }: ErrorMessageProps) {
  return (
    <div role="alert" className="notice notice-danger">
      <p>
        <strong>{title}.</strong> {errorMessage(error)}
      </p>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
