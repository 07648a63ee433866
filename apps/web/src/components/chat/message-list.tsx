import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { Message } from '@chat/protocol';
import type { TimelineItem } from '../../lib/timeline';
import type { Receipt } from '../../lib/receipts';
import { summarizeReactions } from '../../lib/tapbacks';
import { DaySeparator } from './day-separator';
import { UnsentNotice } from './unsent-notice';
import { TypingIndicator } from './typing-indicator';
import { AgentStatusIndicator } from './agent-status-indicator';
import type { AgentStatusLine } from './agent-status-indicator';
import { MessageRow } from './message-row';
import { SystemLine, UnreadDivider } from './system-line';
import type { BubbleItem } from './message-row';
import { isNearBottom, useScrollAnchor } from './use-scroll-anchor';
import { useSwipeReveal } from './use-swipe-reveal';
import { ArrowUpIcon } from '../ui/icons';
import { messageStep } from '../../lib/keyboard-nav';

/** Start loading older history when the reader is this close to the top. */
const LOAD_OLDER_PX = 240;

export interface MessageListProps {
  items: readonly TimelineItem[];
  messagesById: ReadonlyMap<string, Message>;
  myUserId: string;
  isGroup: boolean;
  now: Date;
  receipt: Receipt | null;
  /** Other people typing now. */
  typing: readonly { userId: string; name: string }[];
  editingId: string | null;
  /** Under the last message not yet acknowledged: "Sending…", or why it waits. */
  pendingLabel?: string;
  hasMoreBefore: boolean;
  /**
   * Whether the server's history is here (default true). Not before the first join answers: a
   * page opened offline holds only its unsent messages, which are not the conversation's start.
   */
  historyLoaded?: boolean;
  loadingOlder: boolean;
  nameOf: (userId: string) => string;
  onLoadOlder: () => void;
  onOpenMenu: (item: BubbleItem, anchor: DOMRect) => void;
  onRetry: (clientId: string) => void;
  /** A photo of a message was clicked: open the viewer on it. */
  onOpenPhoto?: (message: Message, attachmentId: string) => void;
  onSaveEdit: (messageId: string, body: string) => void;
  onCancelEdit: () => void;
  /** Called on scroll and when content changes, with the scroller, to decide about read receipts. */
  onViewportChange?: (scroller: HTMLElement) => void;
  /** The line of a system message ("Ada added Grace"). */
  systemText?: (message: Message) => string;
  /** A message to bring into view and flash once it is here (a search result); then `onFocused`. */
  focusMessageId?: string | null;
  onFocused?: () => void;
  /** Names for the mentions a message carries, by user id. */
  mentionName?: (userId: string) => string | undefined;
  /** Whether a sender is an agent (section 14): its name gets the "AI" badge. */
  isAgent?: (userId: string) => boolean;
  /** Message id -> the latest relayed text of a streaming message (section 14). */
  streams?: Readonly<Record<string, string>>;
  /** Agents at work here: "Assistant is thinking…" bubbles under the messages. */
  agentStatuses?: readonly AgentStatusLine[];
  /** "Stop generating" on a streaming message. */
  onStop?: (messageId: string) => Promise<unknown>;
}

const NO_STREAMS: Readonly<Record<string, string>> = {};
const NO_STATUSES: readonly AgentStatusLine[] = [];

/**
 * The conversation's messages (role log): separators, bubbles, typing bubbles; keeps scroll anchored.
 * The messages are one tab stop: Tab lands on the last one focused (at first the newest), the arrow
 * keys, Home and End move between them. A swipe left shows every message's time.
 */
export function MessageList(props: MessageListProps) {
  const { items, hasMoreBefore, loadingOlder, onLoadOlder, onViewportChange } = props;
  const historyLoaded = props.historyLoaded ?? true;
  const streams = props.streams ?? NO_STREAMS;
  const agentStatuses = props.agentStatuses ?? NO_STATUSES;
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const [focusedKey, setFocusedKey] = useState<string | null>(null);
  // Scrolled away from the newest messages: offer a way back. `awayAt`: the newest key then.
  const [away, setAway] = useState(false);
  const [awayAt, setAwayAt] = useState<string | undefined>(undefined);
  const dividerShown = useRef(false);

  const bubbles = useMemo(() => items.filter((i) => i.kind === 'bubble' || i.kind === 'unsent'), [items]);
  const last = bubbles.at(-1);
  const messageKeys = useMemo(
    () => new Set(bubbles.filter((i) => i.kind === 'bubble').map((i) => i.key)),
    [bubbles],
  );
  // The one tab stop: the message last focused while it is still here, else the newest.
  const activeKey =
    focusedKey !== null && messageKeys.has(focusedKey)
      ? focusedKey
      : bubbles.findLast((i) => i.kind === 'bubble')?.key;
  const lastSending = bubbles.findLast(
    (i) => i.kind === 'bubble' && i.entry.kind === 'pending' && i.entry.pending.state === 'sending',
  )?.key;
  const {
    ref: scroller,
    onScroll,
    scrollToBottom,
  } = useScrollAnchor<HTMLDivElement>(
    {
      firstKey: bubbles[0]?.key,
      lastKey: last?.key,
      lastIsMine: last?.kind === 'bubble' ? last.mine : false,
    },
    `${props.typing.map((t) => t.userId).join(',')}|${props.receipt?.label ?? ''}|${props.editingId ?? ''}|${lastSending ?? ''}|${streamSignature(streams)}|${agentStatuses.map((a) => `${a.userId}:${a.status}:${a.detail ?? ''}`).join(',')}`,
  );

  // Opening with unread messages: the first of them under "New messages" at the top, once.
  const hasDivider = items.some((i) => i.kind === 'unread');
  useLayoutEffect(() => {
    if (!hasDivider || dividerShown.current) return;
    dividerShown.current = true;
    document.getElementById('unread-divider')?.scrollIntoView({ block: 'start', behavior: 'instant' });
    onScroll();
  }, [hasDivider, onScroll]);

  const newFromOthers = away && last?.key !== awayAt && last?.kind === 'bubble' && !last.mine;

  const maybeLoadOlder = useCallback(() => {
    const element = scroller.current;
    if (!element || !hasMoreBefore || loadingOlder) return;
    if (element.scrollTop < LOAD_OLDER_PX) onLoadOlder();
  }, [scroller, hasMoreBefore, loadingOlder, onLoadOlder]);

  // Content shorter than the screen cannot be scrolled up: load older history right away.
  useEffect(() => {
    maybeLoadOlder();
    if (scroller.current) onViewportChange?.(scroller.current);
  }, [scroller, maybeLoadOlder, items, onViewportChange]);

  const swipe = useSwipeReveal(scroller);

  const onKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    // Only from a message itself: inside it, a link or a button keeps its own keys.
    if (target.dataset.messageKey === undefined || event.altKey || event.ctrlKey || event.metaKey) return;
    const rows = Array.from(scroller.current?.querySelectorAll<HTMLElement>('[data-message-key]') ?? []);
    const next = messageStep(event.key, rows.indexOf(target), rows.length);
    if (next === null) return;
    event.preventDefault();
    rows[next]?.focus();
  };

  const jumpTo = useCallback((messageId: string) => {
    document.getElementById(`message-${messageId}`)?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    setHighlighted(messageId);
    window.setTimeout(() => setHighlighted((current) => (current === messageId ? null : current)), 1600);
  }, []);

  // A search result to show: once it is rendered, centred and focused (it flashes while focused).
  const { focusMessageId, onFocused } = props;
  const focusedOnce = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (!focusMessageId || focusedOnce.current === focusMessageId) return;
    const row = document.getElementById(`message-${focusMessageId}`);
    if (!row) return;
    focusedOnce.current = focusMessageId;
    row.scrollIntoView({ block: 'center', behavior: 'instant' });
    onScroll();
    if (row.dataset.messageKey !== undefined) row.focus({ preventScroll: true });
    onFocused?.();
  }, [focusMessageId, onFocused, items, onScroll]);
  const flashing = highlighted ?? focusMessageId ?? null;

  const backToLatest = () => {
    scrollToBottom();
    setAway(false);
    setAwayAt(undefined);
  };

  return (
    <div className="message-list-frame">
      <div
        ref={scroller}
        className={`message-list${swipe.swiping ? ' message-list--swiping' : ''}`}
        role="log"
        aria-label="Messages"
        aria-busy={loadingOlder}
        onKeyDown={onKeyDown}
        onFocus={(event) => {
          const row = (event.target as HTMLElement).closest<HTMLElement>('[data-message-key]');
          if (row?.dataset.messageKey !== undefined) setFocusedKey(row.dataset.messageKey);
        }}
        {...swipe.handlers}
        onScroll={() => {
          onScroll();
          if (scroller.current) {
            const nowAway = !isNearBottom(scroller.current, 400);
            if (nowAway !== away) setAwayAt(nowAway ? last?.key : undefined);
            setAway(nowAway);
          }
          maybeLoadOlder();
          if (scroller.current) onViewportChange?.(scroller.current);
        }}
      >
        <div className="message-list__top">
          {loadingOlder ? (
            <span className="message-list__loading">Loading earlier messages…</span>
          ) : historyLoaded && !hasMoreBefore && items.length > 0 ? (
            <span className="message-list__start">This is the beginning of the conversation</span>
          ) : null}
        </div>
        {historyLoaded && items.length === 0 && !hasMoreBefore ? (
          <div className="message-list__empty">No messages yet. Say hi!</div>
        ) : null}
        {items.map((item) => {
          switch (item.kind) {
            case 'day':
            case 'time':
              return (
                <DaySeparator key={item.key} date={item.date} now={props.now} withDay={item.kind === 'day'} />
              );
            case 'unread':
              return <UnreadDivider key={item.key} />;
            case 'system':
              return (
                <SystemLine
                  key={item.key}
                  id={item.message.id}
                  text={props.systemText?.(item.message) ?? ''}
                />
              );
            case 'unsent':
              return (
                <UnsentNotice
                  key={item.key}
                  mine={item.mine}
                  senderName={props.nameOf(item.message.sender_id)}
                />
              );
            case 'bubble': {
              const stored = item.entry.kind === 'stored' ? item.entry.message : null;
              const replyTo =
                stored?.reply_to ?? (item.entry.kind === 'pending' ? item.entry.pending.reply_to : null);
              const original = replyTo ? props.messagesById.get(replyTo) : undefined;
              return (
                <MessageRow
                  key={item.key}
                  item={item}
                  senderName={props.nameOf(item.senderId)}
                  reactions={stored ? summarizeReactions(stored.reactions, props.myUserId) : []}
                  reply={
                    replyTo
                      ? {
                          original,
                          senderName: original ? props.nameOf(original.sender_id) : null,
                          originalMine: original?.sender_id === props.myUserId,
                        }
                      : null
                  }
                  receipt={
                    stored && props.receipt?.messageId === stored.id
                      ? props.receipt.label
                      : item.key === lastSending
                        ? (props.pendingLabel ?? null)
                        : null
                  }
                  editing={stored !== null && props.editingId === stored.id}
                  highlighted={stored !== null && flashing === stored.id}
                  mentionNames={stored ? mentionNames(stored, props.mentionName) : undefined}
                  active={item.key === activeKey}
                  nameOf={props.nameOf}
                  onOpenMenu={props.onOpenMenu}
                  onJumpTo={jumpTo}
                  onRetry={props.onRetry}
                  {...(props.onOpenPhoto ? { onOpenPhoto: props.onOpenPhoto } : {})}
                  onSaveEdit={props.onSaveEdit}
                  onCancelEdit={props.onCancelEdit}
                  senderIsAgent={props.isAgent?.(item.senderId) ?? false}
                  streamText={stored ? streams[stored.id] : undefined}
                  {...(props.onStop ? { onStop: props.onStop } : {})}
                />
              );
            }
          }
        })}
        {props.typing.map((t) => (
          <TypingIndicator key={t.userId} name={t.name} showName={props.isGroup} />
        ))}
        {agentStatuses.map((line) => (
          <AgentStatusIndicator key={line.userId} line={line} />
        ))}
      </div>
      {newFromOthers ? (
        // In the flow under the messages, not over them: it never covers text.
        <div className="message-list__pill-row">
          <button type="button" className="message-list__pill" onClick={backToLatest}>
            <span className="message-list__latest-icon">
              <ArrowUpIcon size={12} />
            </span>
            New message
          </button>
        </div>
      ) : away ? (
        <button
          type="button"
          className="message-list__latest"
          aria-label="Scroll to latest messages"
          onClick={backToLatest}
        >
          <span className="message-list__latest-icon">
            <ArrowUpIcon />
          </span>
        </button>
      ) : null}
    </div>
  );
}

/**
 * What changes the height of streaming bubbles: a new relayed text re-runs the scroll anchor, which
 * keeps the newest line in view only for a reader who was at the bottom.
 */
function streamSignature(streams: Readonly<Record<string, string>>): string {
  return Object.entries(streams)
    .map(([id, text]) => `${id}:${text.length}`)
    .join(',');
}

/** "@Name" texts of the people a message mentions, for highlighting in its bubble. */
function mentionNames(
  message: Message,
  nameOf: ((userId: string) => string | undefined) | undefined,
): readonly string[] | undefined {
  if (message.mentions.length === 0 || !nameOf) return undefined;
  return message.mentions.map((id) => nameOf(id)).filter((name): name is string => Boolean(name));
}
