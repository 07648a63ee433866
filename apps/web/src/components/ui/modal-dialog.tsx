import type { ReactNode } from 'react';
import { useDialogFocus } from './use-dialog-focus';

interface ModalDialogProps {
  /** The id of the heading that names the dialog. */
  labelledBy: string;
  onClose: () => void;
  /** The dialog's classes (the CSS styles `.dialog`, `.photo-viewer__dialog` and their variants). */
  className: string;
  /** The full-screen layer behind it; a press on it (not on the dialog) closes. */
  backdropClassName?: string;
  /** False while closing would lose something: neither a click outside nor Escape closes then. */
  dismissable?: boolean;
  /** A selector for what takes focus on open; null when the content focuses itself. */
  initialFocus?: string | null;
  /** The content, given the close that also hands focus back (for "Done" and the like). */
  children: (close: () => void) => ReactNode;
}

/**
 * A modal dialog over the app, as every one here behaves: named by its heading, Tab kept inside,
 * Escape or a press outside closes it (when dismissable), and focus goes back to what opened it.
 */
export function ModalDialog({
  labelledBy,
  onClose,
  className,
  backdropClassName = 'dialog-backdrop',
  dismissable = true,
  initialFocus = 'button',
  children,
}: ModalDialogProps) {
  const { ref, onKeyDown, close } = useDialogFocus(onClose, { dismissable, initialFocus });
  return (
    <div
      className={backdropClassName}
      onPointerDown={(event) => {
        if (event.target === event.currentTarget && dismissable) close();
      }}
    >
      <div
        ref={ref}
        className={className}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        onKeyDown={onKeyDown}
      >
        {children(close)}
      </div>
    </div>
  );
}
