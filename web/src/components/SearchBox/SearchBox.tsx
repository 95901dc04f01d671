import { EVENT_ID_PATTERN, idKind, isEmail } from '@cache-doctor/shared';
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import type { SearchResult } from '../../api/types';
import { useFetchSearch, useSearch } from '../../hooks/useSearch';
import { useShortcut } from '../../hooks/useShortcut';
import { resultPath, searchTarget } from '../../paths';
import { StatusBadge } from '../StatusBadge/StatusBadge';

/** How long typing must pause before suggestions are asked for. */
const DEBOUNCE_MS = 250;
const MAX_SUGGESTIONS = 8;

const KIND_WORDS: Record<SearchResult['kind'], string> = {
  user: 'User',
  customer: 'Stripe customer',
  session: 'Checkout session',
};

/**
 * Where a query that names one thing leads, or null (several, none, or the search failed: the
 * results page then shows why): a whole email of one user, a `cus_` id to its user, an `evt_` id
 * to its session. Cached under the search's key, so the results page does not ask again.
 */
async function onlyTarget(
  fetchSearch: ReturnType<typeof useFetchSearch>,
  query: string,
): Promise<string | null> {
  try {
    const { results } = await fetchSearch(query);
    const [only] = results;
    if (results.length !== 1 || !only) return null;
    if (isEmail(query) && only.kind !== 'user') return null;
    return resultPath(only);
  } catch {
    return null;
  }
}

const resolvesByLookup = (query: string) =>
  isEmail(query) || idKind(query) === 'customer' || EVENT_ID_PATTERN.test(query);

function useDebounced(value: string): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [value]);
  return debounced;
}

/**
 * SPEC §9: the box is named exactly "Search"; `/` focuses it; an exact id (or a `cus_`/`evt_` id,
 * or a whole email, that names one thing) goes straight to its page, anything else to the user
 * search. As you type, suggestions appear below it (an ARIA combobox: arrows move, Enter opens,
 * Escape closes).
 */
export function SearchBox() {
  const inputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [resolving, setResolving] = useState(false);
  const navigate = useNavigate();
  const fetchSearch = useFetchSearch();
  const listId = useId();
  const query = useDebounced(text.trim());
  const suggestions = useSearch(query, open && query.length >= 2);
  const options = (suggestions.data?.results ?? []).slice(0, MAX_SUGGESTIONS);
  const expanded = open && query.length >= 2 && options.length > 0;

  useShortcut('/', () => {
    inputRef.current?.focus();
    inputRef.current?.select();
  });

  const go = (to: string) => {
    setOpen(false);
    setActive(-1);
    // Leaving the box lets the new page take focus when it arrives (see AppLayout).
    inputRef.current?.blur();
    void navigate(to);
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const picked = expanded ? options[active] : undefined;
    const pickedPath = picked ? resultPath(picked) : null;
    if (pickedPath) return go(pickedPath);
    const typed = text.trim();
    const target = searchTarget(typed);
    if (!target || resolving) return;
    setResolving(true);
    const only = resolvesByLookup(typed) ? await onlyTarget(fetchSearch, typed) : null;
    setResolving(false);
    go(only ?? target);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((index) => (options.length === 0 ? -1 : (index + 1) % options.length));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => (options.length === 0 ? -1 : index <= 0 ? options.length - 1 : index - 1));
    } else if (event.key === 'Escape' && expanded) {
      event.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  };

  const optionId = (index: number) => `${listId}-option-${index}`;

  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not yet mapped to the search role by every test tool and assistive technology; role="search" on the form is.
    <form role="search" className="search" onSubmit={(event) => void onSubmit(event)} aria-busy={resolving}>
      <input
        ref={inputRef}
        type="search"
        role="combobox"
        aria-label="Search"
        aria-keyshortcuts="/"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
        placeholder="Email, name or id — press /"
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <div
        id={listId}
        role="listbox"
        aria-label="Suggestions"
        className="search-suggestions"
        hidden={!expanded}
      >
        {options.map((option, index) => {
          const to = resultPath(option);
          return (
            <div
              key={`${option.kind}:${option.id}`}
              id={optionId(index)}
              role="option"
              // focus stays in the box (aria-activedescendant); the option is reached by the arrows
              tabIndex={-1}
              aria-selected={index === active}
              aria-disabled={to === null}
              className="search-suggestion"
              // mousedown, not click: it comes before the input's blur closes the list
              onMouseDown={(event) => {
                event.preventDefault();
                if (to) go(to);
              }}
            >
              <span className="search-suggestion-label">{option.label}</span>
              <span className="muted">{KIND_WORDS[option.kind]}</span>
              {option.health ? (
                <StatusBadge tone={option.health === 'healthy' ? 'ok' : 'danger'}>
                  {option.health === 'healthy' ? 'Healthy' : 'Problems'}
                </StatusBadge>
              ) : null}
            </div>
          );
        })}
      </div>
      <button type="submit" className="button button-quiet">
        Go
      </button>
    </form>
  );
}
