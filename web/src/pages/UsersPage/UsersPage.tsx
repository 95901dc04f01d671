import { useSearchParams } from 'react-router';
import { Page } from '../../components/Page/Page';
import { Planned } from '../../components/Planned/Planned';

/** `/users?q=` (free text) and `/users?customer=cus_…` land here from the header search. */
export function UsersPage() {
  const [params] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  const customer = params.get('customer')?.trim() ?? '';

  return (
    <Page heading="Users">
      {customer ? (
        <p className="lede">
          Looking for the user behind Stripe customer <code>{customer}</code>.
        </p>
      ) : q ? (
        <p className="lede">
          Search for “<span className="query">{q}</span>”.
        </p>
      ) : null}
      <Planned what="The user search">
        <p>
          This page will list the Clerk users, Stripe customers and checkout sessions matching an email (or
          part of one), a name, or a <code>user_</code>, <code>cus_</code> or <code>cs_</code> id, each
          linking to its page.
        </p>
        <p>
          Until then, an exact user id typed into the Search box (for example <code>user_2abc…</code>) opens
          that user’s page directly, and an exact checkout session id opens the session.
        </p>
      </Planned>
    </Page>
  );
}
