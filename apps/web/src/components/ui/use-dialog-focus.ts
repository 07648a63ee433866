import { useCallback, useEffect, useRef, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';

const FOCUSABLE = 'button:not(:disabled), input:not(:disabled), a[href], [tabindex="0"]';

export interface DialogFocusOptions {
  /** False while closing would lose something (a secret shown once): Escape then does nothing. */
  dismissable?: boolean;
  /** A selector for what takes focus on open (the first match inside); null leaves focus alone. */
  initialFocus?: string | null;
}

/**
 * What every dialog here does with focus: remembers what had it when the dialog opened, moves it
 * inside, keeps Tab inside, closes on Escape, and gives focus back on close (when that element is
 * still there). Returns the dialog's ref, its keydown handler and the close to call.
 */
export function useDialogFocus(onClose: () => void, options: DialogFocusOptions = {}) {
  const { dismissable = true, initialFocus = 'button' } = options;
  const ref = useRef<HTMLDivElement>(null);
  // Read while rendering, before the initial focus takes focus away from the opener.
  const [opener] = useState(() =>
    document.activeElement instanceof HTMLElement ? document.activeElement : null,
  );

  // On close rather than on unmount: StrictMode's trial unmount would move focus at once.
  const close = useCallback(() => {
    onClose();
    if (opener?.isConnected) opener.focus();
  }, [onClose, opener]);

  useEffect(() => {
    if (initialFocus !== null) ref.current?.querySelector<HTMLElement>(initialFocus)?.focus();
  }, [initialFocus]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented && dismissable) close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [close, dismissable]);

  const onKeyDown = (event: ReactKeyboardEvent<HTMLElement>) => {
    if (event.key !== 'Tab' || !ref.current) return;
    const focusable = Array.from(ref.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    const first = focusable[0];
    const last = focusable.at(-1);
    const active = document.activeElement;
    // Before the first stop counts as on it: a heading focused on open (tabIndex -1) is there.
    const atStart =
      active === first ||
      (first !== undefined &&
        active !== null &&
        ref.current.contains(active) &&
        Boolean(active.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING));
    if (event.shiftKey && atStart) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first?.focus();
    }
  };

  return { ref, onKeyDown, close };
}
