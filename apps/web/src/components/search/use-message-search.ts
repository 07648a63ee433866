import { useEffect, useState } from 'react';
import type { SearchResult } from '@chat/protocol';

const DEBOUNCE_MS = 250;

export interface MessageSearch {
  results: readonly SearchResult[];
  searching: boolean;
  error: string | null;
}

/** A query with at least one word (a run of letters or digits): the server refuses others. */
export function hasWord(query: string): boolean {
  return /[\p{L}\p{N}]/u.test(query);
}

/**
 * Messages matching `query` (GET /api/search), debounced; an answer to an older query never
 * replaces a newer one.
 */
export function useMessageSearch(
  query: string,
  search: (q: string) => Promise<{ results: SearchResult[] }>,
): MessageSearch {
  const [state, setState] = useState<MessageSearch & { query: string }>({
    query: '',
    results: [],
    searching: false,
    error: null,
  });
  const q = query.trim();

  useEffect(() => {
    if (!hasWord(q)) return;
    let current = true;
    const timer = window.setTimeout(() => {
      search(q)
        .then((page) => {
          if (current) setState({ query: q, results: page.results, searching: false, error: null });
        })
        .catch((error: unknown) => {
          if (current) {
            const message = error instanceof Error ? error.message : 'Search failed';
            setState({ query: q, results: [], searching: false, error: message });
          }
        });
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [q, search]);

  if (!hasWord(q)) return { results: [], searching: false, error: null };
  return {
    results: state.query === q ? state.results : [],
    searching: state.query !== q,
    error: state.error,
  };
}
