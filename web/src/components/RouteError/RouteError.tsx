import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { errorMessage } from '../../api/errors';
import { paths } from '../../paths';

/** A page that crashed or whose code failed to load (e.g. after a deploy): say so, offer a way on. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : errorMessage(error);
  const isChunkError =
    error instanceof TypeError && /dynamically imported module|import/i.test(error.message);
  return (
    <div className="route-error">
      <title>Something went wrong · Cache Doctor</title>
      <h1>Something went wrong</h1>
      <div role="alert" className="notice notice-danger">
        <p>{message}</p>
        {isChunkError ? <p>Cache Doctor may have been updated since this page was opened.</p> : null}
      </div>
      <p>
        <button type="button" className="button" onClick={() => window.location.reload()}>
          Reload the page
        </button>{' '}
        <Link to={paths.status}>Open the start page</Link>
      </p>
    </div>
  );
}
