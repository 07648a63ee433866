import { useEffect, useLayoutEffect } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent, RefObject } from 'react';
import { menuStep } from '../../lib/keyboard-nav';

/**
 * What every popup menu of the app does with focus and dismissal: the first
 * item takes focus once the menu is placed (while it is still hidden a button
 * takes no focus); a pointer outside, Escape or a resize closes it; Tab leaves
 * it closed (a menu is not a stop on the way), and the arrow keys, Home and
 * End walk its items. Returns the menu's keydown handler.
 */
export function usePopupMenu(
  ref: RefObject<HTMLElement | null>,
  placed: boolean,
  onClose: () => void,
  itemSelector = '[role^="menuitem"]',
): (event: ReactKeyboardEvent<HTMLElement>) => void {
  useLayoutEffect(() => {
    if (placed) ref.current?.querySelector<HTMLButtonElement>(itemSelector)?.focus();
  }, [placed, ref, itemSelector]);

  useEffect(() => {
    const onPointerDown = (event: PointerEvent) => {
      if (ref.current && !ref.current.contains(event.target as Node)) onClose();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    document.addEventListener('keydown', onKey);
    window.addEventListener('resize', onClose);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown, true);
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('resize', onClose);
    };
  }, [onClose, ref]);

  return (event) => {
    if (event.key === 'Tab') {
      event.preventDefault();
      onClose();
      return;
    }
    const items = Array.from(ref.current?.querySelectorAll<HTMLButtonElement>(itemSelector) ?? []);
    const next = menuStep(
      event.key,
      items.indexOf(document.activeElement as HTMLButtonElement),
      items.length,
    );
    if (next === null) return;
    event.preventDefault();
    items[next]?.focus();
  };
}
