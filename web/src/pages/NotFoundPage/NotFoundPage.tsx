import { Link, useLocation } from 'react-router';
import { Page } from '../../components/Page/Page';
import { paths } from '../../paths';

export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <Page heading="Page not found">
      <p>
        There is no page at <code>{pathname}</code>. Use the Search box or the links above, or{' '}
        <Link to={paths.status}>open the start page</Link>.
      </p>
    </Page>
  );
}
