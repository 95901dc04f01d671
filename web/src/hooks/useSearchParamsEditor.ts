import { type NavigateOptions, useSearchParams } from 'react-router';

/**
 * The address's search params, and a way to change some of them while keeping the rest, so one
 * view's filter never drops another's (deep links carry every filter at once).
 */
export function useSearchParamsEditor() {
  const [params, setParams] = useSearchParams();
  const edit = (change: (next: URLSearchParams) => void, options?: NavigateOptions) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      change(next);
      return next;
    }, options);
  return [params, edit] as const;
}
