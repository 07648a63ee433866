import { useEffect, useId, useRef } from 'react';

/**
 * A question asked in place before an action that cannot be undone (as "Leave conversation"
 * asks): an alertdialog with the safe choice focused; Escape cancels.
 */
export function InlineConfirm({
  title,
  text,
  confirmLabel,
  busy = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  text: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
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
        // Only this question closes, not the dialog around it.
        event.preventDefault();
        event.stopPropagation();
        onCancel();
      }}
    >
      <p className="leave-confirm__title" id={`${id}-title`}>
        {title}
      </p>
      <p className="leave-confirm__text" id={`${id}-text`}>
        {text}
      </p>
      <div className="leave-confirm__buttons">
        <button ref={cancel} type="button" className="pill-button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="pill-button pill-button--danger" disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </div>
  );
}
