import { useCallback, useRef, useState } from 'react';
import type { PointerEvent as ReactPointerEvent, RefObject } from 'react';

/** How far a left swipe slides my bubbles and brings the times in (`.message-row__time` in bubbles.css). */
export const REVEAL_PX = 74;
/** Movement before a touch is taken as a swipe (or left to the browser as a scroll). */
const SLOP_PX = 8;

interface Gesture {
  pointerId: number;
  x: number;
  y: number;
  swiping: boolean;
}

/**
 * iMessage's swipe left on the message list: while a finger drags left, every message's time slides
 * in at the right edge; letting go slides them out again. Writes the distance to the list's
 * `--reveal` (unitless px) directly, so a drag re-renders nothing. Touch and pen only: a mouse drag
 * selects text. The list has `touch-action: pan-y`, so vertical drags stay the browser's scroll.
 */
export function useSwipeReveal(target: RefObject<HTMLElement | null>) {
  const gesture = useRef<Gesture | null>(null);
  const [swiping, setSwiping] = useState(false);

  const set = useCallback(
    (distance: number) => target.current?.style.setProperty('--reveal', String(distance)),
    [target],
  );

  const end = useCallback(() => {
    gesture.current = null;
    setSwiping(false);
    target.current?.style.removeProperty('--reveal');
  }, [target]);

  const onPointerDown = useCallback((event: ReactPointerEvent) => {
    if (event.pointerType === 'mouse' || !event.isPrimary) return;
    gesture.current = { pointerId: event.pointerId, x: event.clientX, y: event.clientY, swiping: false };
  }, []);

  const onPointerMove = useCallback(
    (event: ReactPointerEvent) => {
      const current = gesture.current;
      if (!current || current.pointerId !== event.pointerId) return;
      const left = current.x - event.clientX;
      if (!current.swiping) {
        if (Math.abs(event.clientY - current.y) > SLOP_PX) {
          gesture.current = null;
          return;
        }
        if (left <= SLOP_PX) return;
        current.swiping = true;
        setSwiping(true);
      }
      set(Math.max(0, Math.min(REVEAL_PX, left - SLOP_PX)));
    },
    [set],
  );

  return {
    swiping,
    handlers: { onPointerDown, onPointerMove, onPointerUp: end, onPointerCancel: end },
  };
}
