import { useRef } from 'react';
import type { Conversation } from '@chat/protocol';
import { conversationTitle } from '../../lib/conversation-title';
import { messagePreview } from '../../lib/message-preview';
import { formatListTime } from '../../lib/format-time';
import { Avatar } from '../ui/avatar';
import { AGENT_LABEL } from '../ui/agent-badge';
import { BellSlashIcon, MoreIcon, PinIcon } from '../ui/icons';
import { isMuted } from '../../lib/mute';

/** A finger held this long opens the actions (as a long-press does in Messages). */
const LONG_PRESS_MS = 500;
/** A swipe left this far opens them too; a drag more vertical than this is a scroll. */
const SWIPE_PX = 56;
const SCROLL_SLOP_PX = 12;

interface ConversationRowProps {
  conversation: Conversation;
  myUserId: string;
  selected: boolean;
  online: boolean;
  now: Date;
  href: string;
  onSelect?: (conversationId: string) => void;
  /** Opens this conversation's actions (Pin, Mute, Archive) at a point on screen. */
  onActions?: (conversationId: string, at: { x: number; y: number }) => void;
}

/** One entry of the list: a link named by the conversation, with preview, time and unread badge. */
export function ConversationRow({
  conversation,
  myUserId,
  selected,
  online,
  now,
  href,
  onSelect,
  onActions,
}: ConversationRowProps) {
  const press = useRef<{ x: number; y: number; timer: number } | null>(null);
  const endPress = () => {
    if (press.current) window.clearTimeout(press.current.timer);
    press.current = null;
  };
  const openActions = (at: { x: number; y: number }) => {
    endPress();
    onActions?.(conversation.id, at);
  };
  const title = conversationTitle(conversation, myUserId);
  const others = conversation.members.filter((m) => m.user_id !== myUserId).map((m) => m.display_name);
  const last = conversation.last_message;
  const preview = messagePreview(last, myUserId, (userId) =>
    userId === myUserId
      ? 'You'
      : (conversation.members.find((m) => m.user_id === userId)?.display_name ?? 'Someone'),
  );
  const time = formatListTime(last?.created_at ?? conversation.created_at, now);
  const unread = conversation.unread_count;
  const mentioned = conversation.unread_mentions > 0;
  const muted = isMuted(conversation, now);
  const pinned = conversation.settings.pinned;
  const describedBy = `conversation-${conversation.id}-details`;
  // A 1:1 with an agent (section 14): its avatar carries the "AI" tag, its description says so.
  const withAgent =
    !conversation.is_group && conversation.members.some((m) => m.user_id !== myUserId && m.is_agent);

  return (
    <li className="conversation-row-item">
      <a
        className={`conversation-row${selected ? ' conversation-row--selected' : ''}${unread > 0 ? ' conversation-row--unread' : ''}`}
        href={href}
        aria-label={title}
        aria-describedby={describedBy}
        aria-current={selected ? 'page' : undefined}
        onClick={(event) => {
          if (!onSelect || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          onSelect(conversation.id);
        }}
        onContextMenu={(event) => {
          if (!onActions) return;
          event.preventDefault();
          openActions({ x: event.clientX, y: event.clientY });
        }}
        onPointerDown={(event) => {
          if (event.pointerType === 'mouse' || !onActions) return;
          const at = { x: event.clientX, y: event.clientY };
          press.current = { ...at, timer: window.setTimeout(() => openActions(at), LONG_PRESS_MS) };
        }}
        onPointerMove={(event) => {
          const start = press.current;
          if (!start) return;
          const dx = event.clientX - start.x;
          const dy = event.clientY - start.y;
          if (Math.abs(dy) > SCROLL_SLOP_PX) endPress();
          else if (dx < -SWIPE_PX) openActions({ x: event.clientX, y: start.y });
          else if (Math.abs(dx) > SCROLL_SLOP_PX) window.clearTimeout(start.timer);
        }}
        onPointerUp={endPress}
        onPointerCancel={endPress}
      >
        <span className="conversation-row__unread-dot" aria-hidden="true" />
        <Avatar
          name={title}
          group={conversation.is_group ? others : undefined}
          online={online}
          size="large"
          agent={withAgent}
        />
        <span className="conversation-row__body">
          <span className="conversation-row__top">
            <span className="conversation-row__title">{title}</span>
            {pinned ? (
              <span className="conversation-row__flag" title="Pinned">
                <PinIcon />
              </span>
            ) : null}
            {muted ? (
              <span className="conversation-row__flag" title="Muted">
                <BellSlashIcon />
              </span>
            ) : null}
            <span className="conversation-row__time">{time}</span>
          </span>
          <span className="conversation-row__bottom" id={describedBy}>
            <span
              className={`conversation-row__preview${last?.deleted_at ? ' conversation-row__preview--unsent' : ''}`}
            >
              {preview}
            </span>
            <span className="visually-hidden">, {time}</span>
            {withAgent ? <span className="visually-hidden">, {AGENT_LABEL}</span> : null}
            {online ? <span className="visually-hidden">, online</span> : null}
            {pinned ? <span className="visually-hidden">, pinned</span> : null}
            {muted ? <span className="visually-hidden">, muted</span> : null}
            {mentioned ? (
              <span className="conversation-row__mention">
                <span aria-hidden="true">@</span>
                <span className="visually-hidden">, mentioned you</span>
              </span>
            ) : null}
            {unread > 0 ? (
              <span className={`conversation-row__badge${muted ? ' conversation-row__badge--muted' : ''}`}>
                <span className="visually-hidden">, </span>
                {unread > 99 ? '99+' : unread}
                <span className="visually-hidden"> unread</span>
              </span>
            ) : null}
          </span>
        </span>
      </a>
      {onActions ? (
        <button
          type="button"
          className="conversation-row__options"
          aria-label={`Options for ${title}`}
          aria-haspopup="menu"
          onClick={(event) => {
            const box = event.currentTarget.getBoundingClientRect();
            onActions(conversation.id, { x: box.left, y: box.bottom + 4 });
          }}
        >
          <MoreIcon />
        </button>
      ) : null}
    </li>
  );
}
