import { useId, useRef } from 'react';
import type { Message } from '@chat/protocol';
import type { TimelineItem } from '../../lib/timeline';
import { hasTail } from '../../lib/timeline';
import type { ReactionSummary } from '../../lib/tapbacks';
import { formatClock, formatFullTimestamp } from '../../lib/format-time';
import { opensMenu } from '../../lib/keyboard-nav';
import { AlertIcon, MoreIcon } from '../ui/icons';
import { MessageText } from './message-text';
import { ReplyQuote } from './reply-quote';
import { ReactionBadges } from './reaction-badges';
import { EditField } from './edit-field';
import { StreamControls, StreamingDots } from './stream-controls';
import { AgentBadge, AGENT_LABEL } from '../ui/agent-badge';
import {
  MessageAttachments,
  PendingAttachments,
  isPhoto,
  uploadProblem,
} from '../attachments/message-attachments';

export type BubbleItem = Extract<TimelineItem, { kind: 'bubble' }>;

const LONG_PRESS_MS = 450;
/** A finger that moves this far is scrolling or swiping, not long-pressing. */
const PRESS_SLOP_PX = 10;

export interface MessageRowProps {
  item: BubbleItem;
  senderName: string;
  reactions: readonly ReactionSummary[];
  /** For a reply: the quoted message (undefined when not loaded) and its sender's name. */
  reply: { original: Message | undefined; senderName: string | null; originalMine: boolean } | null;
  /** Under the bubble: "Delivered" / "Read" for my last message, or the state of a pending one. */
  receipt: string | null;
  editing: boolean;
  highlighted: boolean;
  /** "@Name" texts to highlight: the people this message mentions. */
  mentionNames?: readonly string[] | undefined;
  /**
   * The message that holds the log's one tab stop (roving tabindex): it and its own buttons and
   * links are in the tab order; every other message is reached with the arrow keys.
   */
  active: boolean;
  nameOf: (userId: string) => string;
  onOpenMenu: (item: BubbleItem, anchor: DOMRect) => void;
  onJumpTo: (messageId: string) => void;
  onRetry: (clientId: string) => void;
  onOpenPhoto?: (message: Message, attachmentId: string) => void;
  onSaveEdit: (messageId: string, body: string) => void;
  onCancelEdit: () => void;
  /** The sender is an agent (section 14): an "AI" badge by its name. */
  senderIsAgent?: boolean;
  /** While the message streams: the latest relayed text (absent until the first arrives). */
  streamText?: string | undefined;
  /** "Stop generating" on a streaming message; without it there is no button. */
  onStop?: (messageId: string) => Promise<unknown>;
}

/**
 * One bubble with everything around it: sender name, quote, tapbacks, Edited, receipt, failure,
 * and its time, which slides in on a swipe or when the message has keyboard focus. The row itself
 * is focusable (an `article` named "sender: text time"); Enter, Space or the menu key open its menu.
 */
export function MessageRow(props: MessageRowProps) {
  const { item, senderName } = props;
  const id = useId();
  const bubbleRef = useRef<HTMLDivElement>(null);
  const pressTimer = useRef<number | undefined>(undefined);
  const pressAt = useRef({ x: 0, y: 0 });
  const { entry, mine } = item;
  const stored = entry.kind === 'stored' ? entry.message : null;
  const pending = entry.kind === 'pending' ? entry.pending : null;
  const streaming = stored?.state === 'streaming';
  // A streaming answer shows the newest relayed text; the stored body until one arrives.
  const body = (streaming ? props.streamText : undefined) ?? stored?.body ?? pending?.body ?? '';
  const createdAt = new Date(stored?.created_at ?? pending?.created_at ?? 0);
  const failed = pending?.state === 'failed';
  const files = stored ? stored.attachments : [];
  const pendingFiles = pending?.attachments ?? [];
  const photoCount =
    files.filter(isPhoto).length + pendingFiles.filter((f) => f.type.startsWith('image/')).length;
  const fileCount = files.length + pendingFiles.length - photoCount;
  const filesLabel = [
    photoCount > 0 ? (photoCount === 1 ? '1 photo' : `${photoCount} photos`) : '',
    fileCount > 0 ? (fileCount === 1 ? '1 file' : `${fileCount} files`) : '',
  ]
    .filter(Boolean)
    .join(', ');
  // Offline while its files wait: said under it, with Retry.
  const waitingUpload = pending?.state === 'sending' && pending.error ? uploadProblem(pending.error) : null;
  const side = mine ? 'mine' : 'theirs';
  // Inner controls follow their message: tabbable only while it holds the tab stop.
  const innerTabIndex = props.active ? undefined : -1;

  const openMenu = () => {
    if (stored === null || !bubbleRef.current) return;
    props.onOpenMenu(item, bubbleRef.current.getBoundingClientRect());
  };
  const cancelPress = () => window.clearTimeout(pressTimer.current);

  const classes = [
    'bubble',
    `bubble--${side}`,
    hasTail(item.position) ? 'bubble--tail' : '',
    pending ? 'bubble--pending' : '',
    failed ? 'bubble--failed' : '',
    props.highlighted ? 'bubble--highlighted' : '',
    filesLabel ? (body === '' ? 'bubble--media' : 'bubble--with-files') : '',
    streaming ? 'bubble--streaming' : '',
    // Not while streaming: an answer starting with an emoji would shrink back at its next word.
    !streaming && /^\p{Extended_Pictographic}{1,3}$/u.test(body.replace(/[\uFE0F\u200D\s]/gu, ''))
      ? 'bubble--jumbo'
      : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <div
      className={`message-row message-row--${side} message-row--${item.position}${props.reactions.length > 0 ? ' message-row--reacted' : ''}`}
      id={stored ? `message-${stored.id}` : undefined}
      data-seq={stored?.seq}
      data-message-key={item.key}
      role="article"
      aria-labelledby={`${id}-who ${filesLabel ? `${id}-files ` : ''}${id}-text ${id}-time`}
      tabIndex={props.active ? 0 : -1}
      // Growing text is read once it is complete, not at every relayed word.
      aria-busy={streaming || undefined}
      onKeyDown={(event) => {
        if (event.target !== event.currentTarget || props.editing || !opensMenu(event)) return;
        event.preventDefault();
        openMenu();
      }}
    >
      {item.showSender ? (
        <div className="message-row__sender" aria-hidden="true">
          {senderName}
          {props.senderIsAgent ? <AgentBadge /> : null}
        </div>
      ) : null}
      {props.reply ? (
        <ReplyQuote
          original={props.reply.original}
          senderName={props.reply.senderName}
          mine={mine}
          originalMine={props.reply.originalMine}
          onJump={props.reply.original ? () => props.onJumpTo(props.reply?.original?.id ?? '') : undefined}
          tabIndex={innerTabIndex}
        />
      ) : null}
      {filesLabel ? (
        <span className="visually-hidden" id={`${id}-files`}>
          {filesLabel}
        </span>
      ) : null}
      <div className="message-row__line">
        <span className="visually-hidden" id={`${id}-who`}>
          {mine ? 'You:' : props.senderIsAgent ? `${senderName} (${AGENT_LABEL}):` : `${senderName}:`}
        </span>
        {props.editing && stored ? (
          <EditField
            initial={stored.body}
            onSave={(next) => props.onSaveEdit(stored.id, next)}
            onCancel={props.onCancelEdit}
          />
        ) : (
          <div
            ref={bubbleRef}
            className={classes}
            title={formatFullTimestamp(createdAt)}
            onContextMenu={(event) => {
              if (stored === null) return;
              event.preventDefault();
              openMenu();
            }}
            onDoubleClick={openMenu}
            onPointerDown={(event) => {
              if (event.pointerType === 'mouse') return;
              pressAt.current = { x: event.clientX, y: event.clientY };
              pressTimer.current = window.setTimeout(openMenu, LONG_PRESS_MS);
            }}
            onPointerMove={(event) => {
              const moved = Math.hypot(event.clientX - pressAt.current.x, event.clientY - pressAt.current.y);
              if (moved > PRESS_SLOP_PX) cancelPress();
            }}
            onPointerUp={cancelPress}
            onPointerLeave={cancelPress}
            onPointerCancel={cancelPress}
          >
            {stored && files.length > 0 && stored.deleted_at === null ? (
              <MessageAttachments
                attachments={files}
                tabIndex={innerTabIndex}
                onOpenPhoto={(attachmentId) => props.onOpenPhoto?.(stored, attachmentId)}
              />
            ) : null}
            {pendingFiles.length > 0 ? <PendingAttachments attachments={pendingFiles} /> : null}
            <span className="bubble__text" id={`${id}-text`} hidden={body === '' && filesLabel !== ''}>
              {streaming && body === '' ? (
                <StreamingDots />
              ) : (
                <MessageText body={body} linkTabIndex={innerTabIndex} mentionNames={props.mentionNames} />
              )}
            </span>
            {stored ? (
              <ReactionBadges
                reactions={props.reactions}
                mine={mine}
                nameOf={props.nameOf}
                onOpen={openMenu}
                tabIndex={innerTabIndex}
              />
            ) : null}
          </div>
        )}
        {stored && !props.editing ? (
          <button
            type="button"
            className="message-row__options"
            aria-label="Message options"
            aria-haspopup="menu"
            tabIndex={innerTabIndex}
            onClick={openMenu}
          >
            <MoreIcon />
          </button>
        ) : null}
        {failed ? (
          <span className="message-row__alert" aria-hidden="true">
            <AlertIcon />
          </span>
        ) : null}
        <time className="message-row__time" id={`${id}-time`} dateTime={createdAt.toISOString()}>
          {formatClock(createdAt)}
        </time>
      </div>
      {stored?.edited_at ? <div className="message-row__meta message-row__edited">Edited</div> : null}
      {stored && stored.deleted_at === null && stored.state !== 'complete' ? (
        <StreamControls
          key={stored.state}
          messageId={stored.id}
          state={stored.state}
          {...(props.onStop ? { onStop: props.onStop } : {})}
        />
      ) : null}
      {failed && pending ? (
        <div className="message-row__meta message-row__failed" title={pending.error?.message}>
          {pendingFiles.length > 0 && pending.error
            ? `Not Delivered: ${uploadProblem(pending.error) ?? ''}`
            : 'Not Delivered'}
          <button
            type="button"
            className="message-row__retry"
            tabIndex={innerTabIndex}
            onClick={() => props.onRetry(pending.client_id)}
          >
            Retry
          </button>
        </div>
      ) : null}
      {waitingUpload && pending ? (
        <div className="message-row__meta message-row__failed" role="status">
          {waitingUpload}
          <button
            type="button"
            className="message-row__retry"
            tabIndex={innerTabIndex}
            onClick={() => props.onRetry(pending.client_id)}
          >
            Retry
          </button>
        </div>
      ) : null}
      {props.receipt ? <div className="message-row__meta message-row__receipt">{props.receipt}</div> : null}
    </div>
  );
}
