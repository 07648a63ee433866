import { initials } from '../../lib/conversation-title';

interface AvatarProps {
  name: string;
  size?: 'small' | 'medium' | 'large';
  /** Shows the green dot; undefined hides it. */
  online?: boolean;
  /** Several people: a stacked pair of initials. */
  group?: readonly string[];
  /** An agent (section 14): a small "AI" tag in the corner. */
  agent?: boolean;
}

/** iMessage's gray monogram circle. Decorative: the name is always written next to it. */
export function Avatar({ name, size = 'medium', online, group, agent }: AvatarProps) {
  const stacked = group && group.length > 1 ? group.slice(0, 2) : null;
  return (
    <span className={`avatar avatar--${size}`} aria-hidden="true">
      {stacked ? (
        stacked.map((member, i) => (
          <span key={i} className={`avatar__mini avatar__mini--${i}`}>
            {initials(member)}
          </span>
        ))
      ) : (
        <span className="avatar__initials">{initials(name) || '?'}</span>
      )}
      {online ? <span className="avatar__online" /> : null}
      {agent ? <span className="avatar__agent">AI</span> : null}
    </span>
  );
}
