import { isEmail } from '@cache-doctor/shared';
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useShortcut } from '../../hooks/useShortcut';
import { searchQuery } from '../../hooks/useUser';
import { paths, searchTarget } from '../../paths';

/**
 * The one user a whole email belongs to, or null (several, none, or the search failed: the results
 * page then shows why). Cached under the search's key, so that page does not ask again.
 */
async function userWithEmail(queryClient: QueryClient, email: string): Promise<string | null> {
  try {
    const { results } = await queryClient.fetchQuery(searchQuery(email));
    const [only] = results;
    return results.length === 1 && only?.kind === 'user' ? (only.userId ?? only.id) : null;
  } catch {
    return null;
  }
}

/**
 * SPEC §9: the box is named exactly "Search"; `/` focuses it; an exact id or a whole email that
 * belongs to one user goes straight to its page, anything else to the user search.
 */
export function SearchBox() {
  const inputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [resolving, setResolving] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  useShortcut('/', () => {
    inputRef.current?.focus();
    inputRef.current?.select();
  });

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const query = text.trim();
    const target = searchTarget(query);
    if (!target || resolving) return;
    setResolving(true);
    const userId = isEmail(query) ? await userWithEmail(queryClient, query) : null;
    setResolving(false);
    // Leaving the box lets the new page take focus when it arrives (see AppLayout).
    inputRef.current?.blur();
    void navigate(userId ? paths.user(userId) : target);
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not yet mapped to the search role by every test tool and assistive technology; role="search" on the form is.
    <form role="search" className="search" onSubmit={(event) => void onSubmit(event)} aria-busy={resolving}>
      <input
        ref={inputRef}
        type="search"
        aria-label="Search"
        aria-keyshortcuts="/"
        placeholder="Email, name or id — press /"
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" className="button button-quiet">
        Go
      </button>
    </form>
  );
}
