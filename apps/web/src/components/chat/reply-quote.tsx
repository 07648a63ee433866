import type { Message } from '@chat/protocol';

interface ReplyQuoteProps {
  /** The message replied to; undefined when it is not loaded. */
  original: Message | undefined;
  senderName: string | null;
  mine: boolean;
  /** Whether I wrote the quoted message (it is then tinted blue, as my bubbles are). */
  originalMine: boolean;
  onJump?: () => void;
  tabIndex?: number;
}

function excerpt(original: Message | undefined): string {
  if (original === undefined) return 'Earlier message';
  if (original.deleted_at !== null) return 'Message unsent';
  const flat = original.body.replace(/\s+/gu, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}

/** The quoted message above a reply bubble; clicking it scrolls to the original. */
export function ReplyQuote({ original, senderName, mine, originalMine, onJump, tabIndex }: ReplyQuoteProps) {
  const text = excerpt(original);
  const who = senderName ?? 'a message';
  return (
    <button
      type="button"
      className={`reply-quote ${mine ? 'reply-quote--mine' : 'reply-quote--theirs'}${original && originalMine ? ' reply-quote--from-me' : ''}`}
      onClick={onJump}
      disabled={onJump === undefined || original === undefined}
      tabIndex={tabIndex}
      aria-label={`Reply to ${who}: ${text}`}
    >
      {senderName ? <span className="reply-quote__sender">{senderName}</span> : null}
      <span className="reply-quote__text">{text}</span>
    </button>
  );
}
