import { useCallback, useState } from 'react';
import { readItem, writeItem } from '../../lib/local-store';

/**
 * The composer's text, kept in localStorage under `key` (per user and conversation) as it is
 * typed, so text not yet sent survives a reload, a crash or a closed tab. Without a key it is
 * plain state.
 */
export function useDraft(key: string | undefined): [string, (text: string) => void] {
  const [draft, setDraft] = useState(() => ({ key, text: key ? (readItem(key) ?? '') : '' }));
  // Another conversation: its own draft.
  if (draft.key !== key) setDraft({ key, text: key ? (readItem(key) ?? '') : '' });
  const update = useCallback(
    (text: string) => {
      setDraft({ key, text });
      if (key) writeItem(key, text);
    },
    [key],
  );
  return [draft.key === key ? draft.text : '', update];
}
