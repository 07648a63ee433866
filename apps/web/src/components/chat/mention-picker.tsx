import { Avatar } from '../ui/avatar';

export interface MentionCandidate {
  user_id: string;
  display_name: string;
}

interface MentionPickerProps {
  id: string;
  candidates: readonly MentionCandidate[];
  active: number;
  onPick: (candidate: MentionCandidate) => void;
}

export function optionId(listId: string, index: number): string {
  return `${listId}-${index}`;
}

/**
 * The members offered after "@" in the composer. Focus stays in the textbox (which points at the
 * active option with aria-activedescendant); a click picks without taking focus away.
 */
export function MentionPicker({ id, candidates, active, onPick }: MentionPickerProps) {
  return (
    <ul className="mention-picker" id={id} role="listbox" aria-label="Mention">
      {candidates.map((candidate, index) => (
        <li
          key={candidate.user_id}
          id={optionId(id, index)}
          role="option"
          aria-selected={index === active}
          className={`mention-picker__option${index === active ? ' mention-picker__option--active' : ''}`}
          onPointerDown={(event) => {
            event.preventDefault(); // keep the caret in the textbox
            onPick(candidate);
          }}
        >
          <Avatar name={candidate.display_name} size="small" />
          <span>{candidate.display_name}</span>
        </li>
      ))}
    </ul>
  );
}
