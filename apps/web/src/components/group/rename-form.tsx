import { useState } from 'react';
import { MAX_TITLE_LENGTH } from '@chat/protocol';

/** The group's name, edited in place: "Group name" and "Rename" (an empty name clears it). */
export function RenameForm({
  initial,
  onRename,
}: {
  initial: string;
  onRename: (title: string | null) => void;
}) {
  const [title, setTitle] = useState(initial);
  const next = title.trim();
  return (
    <form
      className="details__rename"
      onSubmit={(event) => {
        event.preventDefault();
        if (next !== initial.trim()) onRename(next === '' ? null : next);
      }}
    >
      <label className="details__field">
        <span className="visually-hidden">Group name</span>
        <input
          type="text"
          aria-label="Group name"
          placeholder="Name this group"
          maxLength={MAX_TITLE_LENGTH}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
        />
      </label>
      <button type="submit" className="pill-button" disabled={next === initial.trim()}>
        Rename
      </button>
    </form>
  );
}
