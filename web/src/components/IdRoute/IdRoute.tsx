import { idKind } from '@cache-doctor/shared';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { paths } from '../../paths';
import { Page } from '../Page/Page';

const EXPECTED = {
  user: { param: 'userId', what: 'a Clerk user id', shape: 'user_', list: paths.users, listName: 'Users' },
  session: {
    param: 'sessionId',
    what: 'a Stripe checkout session id',
    shape: 'cs_test_ or cs_live_',
    list: paths.sessions,
    listName: 'Sessions',
  },
} as const;

/**
 * A deep link's page only for an id of its kind (`/users/user_…`, `/sessions/cs_…`). Anything else
 * gets one inline message instead of the page: no request that can only fail (two red boxes whose
 * "Try again" cannot help), and nothing saved to Recent lookups.
 */
export function IdRoute({ kind, children }: { kind: keyof typeof EXPECTED; children: ReactNode }) {
  const expected = EXPECTED[kind];
  const id = useParams()[expected.param] ?? '';
  if (idKind(id) === kind) return children;
  return (
    <Page title="Not a valid id" heading="Not a valid id">
      <p role="alert" className="notice notice-warning">
        <code className="query">{id}</code> is not {expected.what}: those start with{' '}
        <code>{expected.shape}</code> followed by letters and digits. Search by email, name or id with the
        Search box, or <Link to={expected.list}>open {expected.listName}</Link>.
      </p>
    </Page>
  );
}
