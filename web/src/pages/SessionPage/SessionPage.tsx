import { useParams } from 'react-router';
import { Page } from '../../components/Page/Page';
import { Planned } from '../../components/Planned/Planned';

/** `/sessions/:sessionId`: a Stripe Checkout Session and its Redis records. */
export function SessionPage() {
  const { sessionId = '' } = useParams();
  return (
    <Page title={sessionId} heading={<code className="id-heading">{sessionId}</code>}>
      <p className="lede">Stripe checkout session</p>
      <Planned what="The session view">
        <p>This page will show, for this checkout session:</p>
        <ul>
          <li>Its webhook status, session lookup and prompt records in Redis, with their expiry.</li>
          <li>Whether Stripe says it was paid.</li>
          <li>
            A diagnosis in plain words — for example a paid session whose webhook status was never written.
          </li>
          <li>"Fix session" and "Generate video" actions when the diagnosis allows them.</li>
        </ul>
      </Planned>
    </Page>
  );
}
