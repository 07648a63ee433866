import { useEffect, useId, useRef } from 'react';

/** "Leave conversation" asks first, as Messages does: the group and its messages go from the list. */
export function LeaveConfirm({
  title,
  onLeave,
  onCancel,
}: {
  title: string;
  onLeave: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div
      className="leave-confirm"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        onCancel();
      }}
    >
      <p className="leave-confirm__title" id={`${id}-title`}>
        Leave “{title}”?
      </p>
      <p className="leave-confirm__text" id={`${id}-text`}>
        You will stop receiving its messages, and it leaves your list on every device.
      </p>
      <div className="leave-confirm__buttons">
        <button ref={cancel} type="button" className="pill-button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="pill-button pill-button--danger" onClick={onLeave}>
          Leave
        </button>
      </div>
    </div>
  );
}
