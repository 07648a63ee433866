import { useCallback, useEffect, useRef } from 'react';

/** While typing, `is_typing:true` is refreshed this often (the server drops it after 6 s). */
export const TYPING_REFRESH_MS = 3000;
/** No keystroke for this long = stopped typing. */
export const TYPING_IDLE_MS = 4000;

/**
 * Turns keystrokes into typing frames: true at the first keystroke and every few seconds while
 * typing goes on, false after a pause, when the text is cleared or sent, and on unmount.
 */
export function useTypingSignal(sendTyping: (isTyping: boolean) => void) {
  const lastTrueAt = useRef(0);
  const typing = useRef(false);
  const idleTimer = useRef<number | undefined>(undefined);
  const send = useRef(sendTyping);

  useEffect(() => {
    send.current = sendTyping;
  }, [sendTyping]);

  const stop = useCallback(() => {
    window.clearTimeout(idleTimer.current);
    if (typing.current) {
      typing.current = false;
      send.current(false);
    }
  }, []);

  const onInput = useCallback(
    (text: string) => {
      if (text.trim() === '') {
        stop();
        return;
      }
      const now = Date.now();
      if (!typing.current || now - lastTrueAt.current >= TYPING_REFRESH_MS) {
        typing.current = true;
        lastTrueAt.current = now;
        send.current(true);
      }
      window.clearTimeout(idleTimer.current);
      idleTimer.current = window.setTimeout(stop, TYPING_IDLE_MS);
    },
    [stop],
  );

  useEffect(() => stop, [stop]);

  return { onInput, stop };
}
