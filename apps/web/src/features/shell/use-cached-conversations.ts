import { useEffect, useMemo, useState } from 'react';
import type { Conversation } from '@chat/protocol';
import { conversationsKey, readItem, writeItem } from '../../lib/local-store';

function readCached(userId: string): readonly Conversation[] {
  try {
    const value: unknown = JSON.parse(readItem(conversationsKey(userId)) ?? '[]');
    return Array.isArray(value) ? (value as Conversation[]) : [];
  } catch {
    return [];
  }
}

/**
 * The conversation list, remembered on this device: until the live list has loaded (a page
 * opened with no network or with the server down), the last one seen stands in, so the list and
 * the open chat's title show offline too. Saved whenever the loaded list changes.
 */
export function useCachedConversations(
  userId: string,
  live: readonly Conversation[],
  loaded: boolean,
): readonly Conversation[] {
  const [cached] = useState(() => readCached(userId));
  useEffect(() => {
    if (loaded) writeItem(conversationsKey(userId), JSON.stringify(live));
  }, [userId, live, loaded]);
  return useMemo(() => {
    if (loaded || cached.length === 0) return live;
    const liveIds = new Set(live.map((c) => c.id));
    return [...live, ...cached.filter((c) => !liveIds.has(c.id))];
  }, [loaded, live, cached]);
}
