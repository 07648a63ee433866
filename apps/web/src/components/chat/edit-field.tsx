import { useState } from 'react';
import { bodyProblem } from '@chat/protocol';

interface EditFieldProps {
  initial: string;
  onSave: (body: string) => void;
  onCancel: () => void;
}

/** The bubble turned editable, as iMessage does it: Enter saves, Escape cancels. */
export function EditField({ initial, onSave, onCancel }: EditFieldProps) {
  const [body, setBody] = useState(initial);
  const problem = bodyProblem(body);
  const save = () => {
    if (problem !== null) return;
    if (body === initial) onCancel();
    else onSave(body);
  };
  return (
    <form
      className="edit-field"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <textarea
        className="edit-field__input"
        aria-label="Edit message"
        value={body}
        rows={1}
        autoFocus
        onFocus={(event) => event.currentTarget.setSelectionRange(body.length, body.length)}
        onChange={(event) => setBody(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            save();
          } else if (event.key === 'Escape') {
            event.preventDefault();
            onCancel();
          }
        }}
      />
      <div className="edit-field__buttons">
        <button type="button" className="edit-field__cancel" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="edit-field__save" disabled={problem !== null}>
          Save
        </button>
      </div>
    </form>
  );
}
