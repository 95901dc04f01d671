import { Page } from '../../components/Page/Page';
import { Planned } from '../../components/Planned/Planned';

export function JobsPage() {
  return (
    <Page heading="Jobs">
      <Planned what="The jobs view">
        <p>
          This page will start and follow long-running work: refreshing a list of users, rebuilding the whole
          cache, and health sweeps that diagnose every user without writing. Each job will show its progress,
          counts of done and failed users, per-user results, and a way to cancel it.
        </p>
      </Planned>
    </Page>
  );
}
