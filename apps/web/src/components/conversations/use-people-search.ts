import { useEffect, useState } from 'react';
import type { User } from '@chat/protocol';

/** Wait this long after the last keystroke before asking the server. */
export const SEARCH_DEBOUNCE_MS = 200;

export interface PeopleSearch {
  results: readonly User[];
  searching: boolean;
  error: string | null;
}

/**
 * Searches people by name or e-mail as the query changes (debounced); an answer to an older
 * query never replaces a newer one.
 */
export function usePeopleSearch(query: string, search: (query: string) => Promise<User[]>): PeopleSearch {
  const [state, setState] = useState<PeopleSearch & { query: string | null }>({
    query: null,
    results: [],
    searching: false,
    error: null,
  });

  useEffect(() => {
    let current = true;
    const timer = window.setTimeout(() => {
      search(query.trim())
        .then((results) => {
          if (current) setState({ query, results, searching: false, error: null });
        })
        .catch((error: unknown) => {
          if (current) {
            const message = error instanceof Error ? error.message : 'Search failed';
            setState({ query, results: [], searching: false, error: message });
          }
        });
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [query, search]);

  return { results: state.results, searching: state.query !== query, error: state.error };
}
