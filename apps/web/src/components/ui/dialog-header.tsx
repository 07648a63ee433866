interface DialogHeaderProps {
  /** The heading's id, which names the dialog (ModalDialog's labelledBy). */
  headingId: string;
  title: string;
  onDone: () => void;
  /** Extra classes for the heading and for "Done" (hooks for the dialog's own CSS and tests). */
  headingClassName?: string;
  doneClassName?: string;
  /** True when the heading itself takes focus on open (tabIndex -1: focusable, not a Tab stop). */
  focusableHeading?: boolean;
}

/** A dialog's title bar as in Messages: the title centred and "Done" at the end. */
export function DialogHeader(props: DialogHeaderProps) {
  const headingClass = props.headingClassName ? `dialog__title ${props.headingClassName}` : 'dialog__title';
  const doneClass = props.doneClassName ? `text-button ${props.doneClassName}` : 'text-button';
  return (
    <header className="dialog__header">
      <span className="dialog__spacer" />
      <h2 id={props.headingId} tabIndex={props.focusableHeading ? -1 : undefined} className={headingClass}>
        {props.title}
      </h2>
      <button type="button" className={doneClass} onClick={props.onDone}>
        Done
      </button>
    </header>
  );
}
