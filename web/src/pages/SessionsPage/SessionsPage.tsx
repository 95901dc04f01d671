import { Page } from '../../components/Page/Page';
import { Planned } from '../../components/Planned/Planned';

export function SessionsPage() {
  return (
    <Page heading="Sessions">
      <Planned what="The sessions overview">
        <p>This page will list:</p>
        <ul>
          <li>
            Paid checkout sessions whose Redis records show no processing, with the Stripe webhook deliveries
            that failed for them, and bulk fix or generate.
          </li>
          <li>The most recent prompts, newest first.</li>
          <li>
            Prompt statistics: totals, lengths and a length histogram, sessions by diagnosis, prompts per day.
          </li>
        </ul>
        <p>
          Meanwhile, an exact checkout session id (cs_test_… or cs_live_…) in the Search box opens that
          session.
        </p>
      </Planned>
    </Page>
  );
}
