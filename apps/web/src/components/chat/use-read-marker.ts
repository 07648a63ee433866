import { useCallback, useEffect, useRef } from 'react';
import type { Message } from '@chat/protocol';
import { isNearBottom } from './use-scroll-anchor';

interface ReadMarkerInput {
  messages: readonly Message[];
  myUserId: string;
  /** My read_seq as the server last told it. */
  myReadSeq: number;
  /** False until the server answered the join (marks sent before would be lost on a re-join). */
  enabled: boolean;
  markRead: (seq: number) => void;
}

function windowFocused(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

/**
 * Marks the conversation read when its newest messages are on screen (scrolled to the bottom)
 * and the window has focus; checks again on focus, on becoming visible and on scroll.
 * Returns the callback to give the message list.
 */
export function useReadMarker({ messages, myUserId, myReadSeq, enabled, markRead }: ReadMarkerInput) {
  const scroller = useRef<HTMLElement | null>(null);
  const sent = useRef(0);
  const state = useRef({ messages, myUserId, myReadSeq, enabled, markRead });

  useEffect(() => {
    state.current = { messages, myUserId, myReadSeq, enabled, markRead };
  }, [messages, myUserId, myReadSeq, enabled, markRead]);

  const check = useCallback(() => {
    const { messages: held, myUserId: me, myReadSeq: readSeq, enabled: on, markRead: mark } = state.current;
    const element = scroller.current;
    if (!on || !element || !windowFocused() || !isNearBottom(element, 150)) return;
    const newest = held.at(-1)?.seq ?? 0;
    const floor = Math.max(readSeq, sent.current);
    const unread = held.some((m) => m.sender_id !== me && m.seq > floor);
    if (!unread) return;
    sent.current = newest;
    mark(newest);
  }, []);

  useEffect(() => {
    check();
  }, [check, messages, myReadSeq, enabled]);

  useEffect(() => {
    window.addEventListener('focus', check);
    document.addEventListener('visibilitychange', check);
    return () => {
      window.removeEventListener('focus', check);
      document.removeEventListener('visibilitychange', check);
    };
  }, [check]);

  return useCallback(
    (element: HTMLElement) => {
      scroller.current = element;
      check();
    },
    [check],
  );
}
