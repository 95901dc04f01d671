import { type FormEvent, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useSlashToFocus } from '../../hooks/useSlashToFocus';
import { searchTarget } from '../../paths';

/**
 * SPEC §9: the box is named exactly "Search"; `/` focuses it; an exact id goes straight to its page,
 * anything else to the user search.
 */
export function SearchBox() {
  const inputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const navigate = useNavigate();
  useSlashToFocus(inputRef);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const target = searchTarget(text);
    if (!target) return;
    // Leaving the box lets the new page take focus when it arrives (see AppLayout).
    inputRef.current?.blur();
    void navigate(target);
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not yet mapped to the search role by every test tool and assistive technology; role="search" on the form is.
    <form role="search" className="search" onSubmit={onSubmit}>
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
