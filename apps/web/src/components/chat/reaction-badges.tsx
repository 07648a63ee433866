import type { ReactionSummary } from '../../lib/tapbacks';

interface ReactionBadgesProps {
  reactions: readonly ReactionSummary[];
  mine: boolean;
  nameOf: (userId: string) => string;
  onOpen?: () => void;
  tabIndex?: number;
}

/** Tapbacks on the bubble's top corner, with a count when several people chose the same one. */
export function ReactionBadges({ reactions, mine, nameOf, onOpen, tabIndex }: ReactionBadgesProps) {
  if (reactions.length === 0) return null;
  const description = reactions
    .map((r) => `${r.label} ${r.count}: ${r.userIds.map(nameOf).join(', ')}`)
    .join('; ');
  return (
    <button
      type="button"
      className={`reactions ${mine ? 'reactions--mine' : 'reactions--theirs'}`}
      title={description}
      aria-label={`Reactions: ${description}`}
      tabIndex={tabIndex}
      onClick={onOpen}
    >
      {reactions.map((r) => (
        <span key={r.reaction} className={`reactions__item${r.mine ? ' reactions__item--mine' : ''}`}>
          <span className="reactions__emoji">{r.emoji}</span>
          {r.count > 1 ? <span className="reactions__count">{r.count}</span> : null}
        </span>
      ))}
    </button>
  );
}
