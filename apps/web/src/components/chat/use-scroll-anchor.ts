import { useCallback, useLayoutEffect, useRef } from 'react';

/** Within this many pixels of the bottom counts as "at the bottom": new messages keep it there. */
export const STICK_TO_BOTTOM_PX = 80;

interface Snapshot {
  firstKey: string | undefined;
  lastKey: string | undefined;
  scrollHeight: number;
  scrollTop: number;
  atBottom: boolean;
}

export function isNearBottom(element: HTMLElement, slack = STICK_TO_BOTTOM_PX): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight <= slack;
}

/**
 * Keeps a chat's scroll position where a reader expects it, after every render:
 * - the first render with content starts at the bottom;
 * - older messages added above keep the same messages in view (no jump);
 * - new content below follows it when the reader was at the bottom, or when I sent it.
 * Returns the `ref` and `onScroll` to attach to the scroller, and `scrollToBottom`.
 */
export function useScrollAnchor<T extends HTMLElement>(
  keys: { firstKey: string | undefined; lastKey: string | undefined; lastIsMine: boolean },
  /** Anything else whose change alters the height at the bottom (typing bubbles, receipts). */
  bottomSignature: string,
) {
  const scroller = useRef<T>(null);
  const snapshot = useRef<Snapshot | null>(null);
  const { firstKey, lastKey, lastIsMine } = keys;

  const record = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    snapshot.current = {
      firstKey: snapshot.current?.firstKey,
      lastKey: snapshot.current?.lastKey,
      scrollHeight: element.scrollHeight,
      scrollTop: element.scrollTop,
      atBottom: isNearBottom(element),
    };
  }, []);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const before = snapshot.current;
    if (before === null || before.lastKey === undefined) {
      element.scrollTop = element.scrollHeight;
    } else if (firstKey !== before.firstKey && lastKey === before.lastKey) {
      // Older history arrived above: shift by exactly the height it added.
      element.scrollTop = before.scrollTop + (element.scrollHeight - before.scrollHeight);
    } else if (before.atBottom || (lastKey !== before.lastKey && lastIsMine)) {
      element.scrollTop = element.scrollHeight;
    }
    snapshot.current = {
      firstKey,
      lastKey,
      scrollHeight: element.scrollHeight,
      scrollTop: element.scrollTop,
      atBottom: isNearBottom(element),
    };
  }, [firstKey, lastKey, lastIsMine, bottomSignature]);

  const scrollToBottom = useCallback(() => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
    record();
  }, [record]);

  return { ref: scroller, onScroll: record, scrollToBottom };
}
