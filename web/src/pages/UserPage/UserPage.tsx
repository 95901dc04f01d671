import { useParams } from 'react-router';
import { Page } from '../../components/Page/Page';
import { Planned } from '../../components/Planned/Planned';

/** `/users/:userId`. The heading becomes the user's email once the customer view reads it. */
export function UserPage() {
  const { userId = '' } = useParams();
  return (
    <Page title={userId} heading={<code className="id-heading">{userId}</code>}>
      <p className="lede">Clerk user id</p>
      <Planned what="The customer view">
        <p>This page will show, for this user:</p>
        <ul>
          <li>Cache health: whether the Redis mapping and customer record are present and well-formed.</li>
          <li>Sync status: each cached field compared with Clerk and Stripe.</li>
          <li>The raw Redis values behind them.</li>
          <li>
            A "Refresh cache" action, with its planned writes shown before anything is written, and undo.
          </li>
        </ul>
      </Planned>
    </Page>
  );
}
