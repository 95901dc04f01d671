import { Link } from 'react-router';
import { paths } from '../../paths';

interface UserLabelProps {
  userId: string;
  email?: string | null | undefined;
  name?: string | null | undefined;
  /** false inside a dialog, where a link would leave the decision half made */
  linked?: boolean;
}

/**
 * A user as every list names them: the email (linked to their page), the name beside it, the id
 * small after — the id alone only when nothing else is known.
 */
export function UserLabel({ userId, email, name, linked = true }: UserLabelProps) {
  const first = email || name || userId;
  return (
    <span className="user-label">
      {linked ? <Link to={paths.user(userId)}>{first}</Link> : first}
      {email && name ? <span className="muted"> {name}</span> : null}
      {email || name ? (
        <>
          {' '}
          <code className="muted user-label-id">{userId}</code>
        </>
      ) : null}
    </span>
  );
}
