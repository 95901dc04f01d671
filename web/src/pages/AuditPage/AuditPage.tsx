import { Page } from '../../components/Page/Page';
import { Planned } from '../../components/Planned/Planned';

export function AuditPage() {
  return (
    <Page heading="Audit log">
      <Planned what="The audit log view">
        <p>
          This page will list every write Cache Doctor made, newest first: who did it and with which role,
          what it touched, the values before and after, and whether it worked — filterable by actor and
          target, with undo where your role allows it.
        </p>
      </Planned>
    </Page>
  );
}
