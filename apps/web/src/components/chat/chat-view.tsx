import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Message } from '@chat/protocol';
import { systemText } from '../../lib/system-text';
import { formatClock } from '../../lib/format-time';
import { MessageInfoDialog } from './message-info-dialog';
import { DetailsPanel } from '../group/details-panel';
import type { GroupActions } from '../group/details-panel';
import type { ConnectionStatus, ConversationView } from '@chat/client';
import { buildTimeline } from '../../lib/timeline';
import { computeReceipt } from '../../lib/receipts';
import { canEdit, canUnsend } from '../../lib/message-rules';
import { myReaction } from '../../lib/tapbacks';
import { ChatHeader } from './chat-header';
import { ConnectionBanner } from './connection-banner';
import { MessageList } from './message-list';
import type { BubbleItem } from './message-row';
import { MessageMenu } from './message-menu';
import { Composer } from './composer';
import type { ComposerHandle } from './composer';
import { PhotoViewer } from '../attachments/photo-viewer';
import { isPhoto } from '../attachments/message-attachments';
import { useReadMarker } from './use-read-marker';
import type { ChatActions } from './chat-actions';
import type { AgentStatusLine } from './agent-status-indicator';

export interface ChatViewProps {
  view: ConversationView;
  me: { id: string; display_name: string };
  title: string;
  isGroup: boolean;
  status: ConnectionStatus;
  actions: ChatActions;
  loadingOlder: boolean;
  now: Date;
  onBack?: () => void;
  /** Where the composer keeps unsent text across reloads (`draftKey()`). */
  draftKey?: string;
  /** Anyone's name by id, members who left included (system lines name them). */
  displayName?: (userId: string) => string | undefined;
  /** The conversation's own title, for the Details panel's "Group name". */
  groupTitle?: string | null;
  /** Group management for the Details panel; without it there is no "Details" button. */
  groupActions?: GroupActions;
  /** A message to show and flash (a search result), once it is held. */
  focusMessageId?: string | null;
  onFocused?: () => void;
}

interface OpenMenu {
  message: Message;
  mine: boolean;
  anchor: DOMRect;
  canEdit: boolean;
  canUnsend: boolean;
}

/** A conversation on screen: header, connection banner, messages, composer. No connection logic. */
export function ChatView({
  view,
  me,
  title,
  isGroup,
  status,
  actions,
  loadingOlder,
  now,
  onBack,
  draftKey,
  displayName,
  groupTitle = null,
  groupActions,
  focusMessageId,
  onFocused,
}: ChatViewProps) {
  const [replyToId, setReplyToId] = useState<string | null>(null);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [menu, setMenu] = useState<OpenMenu | null>(null);
  const [infoFor, setInfoFor] = useState<Message | null>(null);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [viewing, setViewing] = useState<{ message: Message; attachmentId: string } | null>(null);
  const [dragging, setDragging] = useState(false);
  const composerRef = useRef<ComposerHandle>(null);
  const openPhoto = useCallback(
    (message: Message, attachmentId: string) => setViewing({ message, attachmentId }),
    [],
  );
  const closeViewer = useCallback(() => setViewing(null), []);
  const menuTrigger = useRef<HTMLElement | null>(null);
  // The message whose edit just ended: it takes focus back from the edit field that replaced it.
  const editedId = useRef<string | null>(null);

  const memberNames = useMemo(
    () => new Map(view.members.map((m) => [m.user_id, m.display_name])),
    [view.members],
  );
  const nameOf = useCallback(
    (userId: string) =>
      userId === me.id ? 'You' : (memberNames.get(userId) ?? displayName?.(userId) ?? 'Someone'),
    [me.id, memberNames, displayName],
  );
  const agentIds = useMemo(
    () => new Set(view.members.filter((m) => m.is_agent).map((m) => m.user_id)),
    [view.members],
  );
  const isAgent = useCallback((userId: string) => agentIds.has(userId), [agentIds]);
  const agentStatuses = useMemo<AgentStatusLine[]>(
    () =>
      view.agentStatuses.map((s) => ({
        userId: s.user_id,
        name: memberNames.get(s.user_id) ?? displayName?.(s.user_id) ?? 'Assistant',
        status: s.status,
        detail: s.detail,
      })),
    [view.agentStatuses, memberNames, displayName],
  );
  const mentionName = useCallback(
    (userId: string) => memberNames.get(userId) ?? displayName?.(userId),
    [memberNames, displayName],
  );
  const lineOf = useCallback((message: Message) => systemText(message, nameOf), [nameOf]);
  const myReadSeq = view.members.find((m) => m.user_id === me.id)?.read_seq ?? 0;
  // Where "New messages" goes: fixed when the join answers, so reading does not move it.
  const [unreadFrom, setUnreadFrom] = useState<{ ready: boolean; seq: number | null }>({
    ready: false,
    seq: null,
  });
  if (!unreadFrom.ready && view.joined) {
    const first = view.messages.find(
      (m) => m.seq > myReadSeq && m.sender_id !== me.id && m.kind !== 'system' && m.deleted_at === null,
    );
    setUnreadFrom({ ready: true, seq: first?.seq ?? null });
  }
  const messagesById = useMemo(() => new Map(view.messages.map((m) => [m.id, m])), [view.messages]);
  const items = useMemo(
    () =>
      buildTimeline({
        messages: view.messages,
        pending: view.pending,
        myUserId: me.id,
        isGroup,
        firstUnreadSeq: unreadFrom.seq,
      }),
    [view.messages, view.pending, me.id, isGroup, unreadFrom.seq],
  );
  const computed = useMemo(
    () => computeReceipt(view.messages, view.members, me.id, isGroup),
    [view.messages, view.members, me.id, isGroup],
  );
  // "Read 9:41 AM" in a 1:1: the time this screen saw it become read (a read carries no time).
  const [seenRead, setSeenRead] = useState<{ previous: typeof computed; at: Date | null }>({
    previous: computed,
    at: null,
  });
  if (seenRead.previous !== computed) {
    const becameRead =
      !isGroup &&
      computed?.read === true &&
      seenRead.previous?.messageId === computed.messageId &&
      !seenRead.previous.read;
    const stillRead = computed?.read === true && seenRead.previous?.messageId === computed.messageId;
    setSeenRead({ previous: computed, at: becameRead ? new Date() : stillRead ? seenRead.at : null });
  }
  const receipt = useMemo(
    () =>
      computed && !isGroup && computed.read && seenRead.at
        ? { ...computed, label: `Read ${formatClock(seenRead.at)}` }
        : computed,
    [computed, isGroup, seenRead.at],
  );
  const others = view.members.filter((m) => m.user_id !== me.id);
  const typing = view.typingUserIds.map((userId) => ({ userId, name: memberNames.get(userId) ?? 'Someone' }));

  const onViewportChange = useReadMarker({
    messages: view.messages,
    myUserId: me.id,
    myReadSeq,
    enabled: view.joined,
    markRead: actions.markRead,
  });

  const openMenu = useCallback(
    (item: BubbleItem, anchor: DOMRect) => {
      if (item.entry.kind !== 'stored') return;
      const message = item.entry.message;
      const at = Date.now();
      menuTrigger.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      setMenu({
        message,
        mine: item.mine,
        anchor,
        canEdit: canEdit(message, me.id, at),
        canUnsend: canUnsend(message, me.id, at),
      });
    },
    [me.id],
  );
  const closeMenu = useCallback(() => {
    setMenu(null);
    // Back to where the menu was opened from (the options button), when that is still there.
    const trigger = menuTrigger.current;
    menuTrigger.current = null;
    if (trigger?.isConnected && trigger.closest('[role="log"]')) trigger.focus();
  }, []);
  const startEdit = useCallback((messageId: string) => {
    editedId.current = messageId;
    setEditingId(messageId);
  }, []);
  const cancelEdit = useCallback(() => setEditingId(null), []);
  const saveEdit = useCallback(
    (messageId: string, body: string) => {
      actions.edit(messageId, body);
      setEditingId(null);
    },
    [actions],
  );
  useEffect(() => {
    if (editingId !== null || editedId.current === null) return;
    document.getElementById(`message-${editedId.current}`)?.focus();
    editedId.current = null;
  }, [editingId]);

  const replyTo = replyToId ? messagesById.get(replyToId) : undefined;

  return (
    <section
      className={`chat-view${dragging ? ' chat-view--dragging' : ''}`}
      aria-label={`Conversation with ${title}`}
      onDragEnter={(event) => {
        if (event.dataTransfer.types.includes('Files')) setDragging(true);
      }}
      onDragOver={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return;
        event.preventDefault();
        setDragging(false);
        composerRef.current?.addFiles(Array.from(event.dataTransfer.files));
      }}
    >
      <ChatHeader
        title={title}
        others={others.map((m) => m.display_name)}
        isGroup={isGroup}
        online={status === 'open' && !isGroup && others.some((m) => m.online)}
        agent={!isGroup && others.length > 0 && others.every((m) => m.is_agent)}
        status={status}
        onBack={onBack}
        {...(groupActions ? { onDetails: () => setDetailsOpen(true) } : {})}
      />
      <ConnectionBanner status={status} onRetry={actions.reconnect} />
      <MessageList
        items={items}
        messagesById={messagesById}
        myUserId={me.id}
        isGroup={isGroup}
        now={now}
        receipt={receipt}
        typing={typing}
        editingId={editingId}
        pendingLabel={status === 'open' ? 'Sending…' : 'Waiting to send'}
        hasMoreBefore={view.hasMoreBefore}
        historyLoaded={view.joined || view.messages.length > 0}
        loadingOlder={loadingOlder}
        nameOf={nameOf}
        onLoadOlder={actions.loadOlder}
        onOpenMenu={openMenu}
        onRetry={actions.retry}
        onOpenPhoto={openPhoto}
        onSaveEdit={saveEdit}
        onCancelEdit={cancelEdit}
        onViewportChange={onViewportChange}
        systemText={lineOf}
        mentionName={mentionName}
        isAgent={isAgent}
        streams={view.streams}
        agentStatuses={agentStatuses}
        {...(actions.stop ? { onStop: actions.stop } : {})}
        focusMessageId={focusMessageId ?? null}
        {...(onFocused ? { onFocused } : {})}
      />
      {dragging ? (
        <div className="chat-view__drop" aria-hidden="true">
          Drop to attach
        </div>
      ) : null}
      <Composer
        ref={composerRef}
        focusKey={`${view.conversationId}:${replyToId ?? ''}`}
        draftKey={draftKey}
        replyTo={replyTo ? { message: replyTo, senderName: nameOf(replyTo.sender_id) } : null}
        onCancelReply={() => setReplyToId(null)}
        onSend={(body, mentions, files) => {
          if (files.length > 0) actions.send(body, replyTo?.id ?? null, mentions, files);
          else actions.send(body, replyTo?.id ?? null, mentions);
          setReplyToId(null);
        }}
        onTyping={actions.typing}
        members={isGroup ? others : undefined}
      />
      {menu ? (
        <MessageMenu
          anchor={menu.anchor}
          mine={menu.mine}
          current={myReaction(menu.message.reactions, me.id)}
          canReact={menu.message.deleted_at === null}
          canEdit={menu.canEdit}
          canUnsend={menu.canUnsend}
          onReact={(reaction) => actions.react(menu.message.id, reaction)}
          onReply={() => setReplyToId(menu.message.id)}
          onEdit={() => startEdit(menu.message.id)}
          onUnsend={() => actions.unsend(menu.message.id)}
          onCopy={() =>
            // A streaming answer: the text as far as it has come.
            void navigator.clipboard
              ?.writeText(view.streams[menu.message.id] ?? menu.message.body)
              .catch(() => undefined)
          }
          onInfo={menu.mine && menu.message.deleted_at === null ? () => setInfoFor(menu.message) : null}
          onClose={closeMenu}
        />
      ) : null}
      {viewing ? (
        <PhotoViewer
          photos={viewing.message.attachments.filter(isPhoto)}
          startId={viewing.attachmentId}
          onClose={closeViewer}
        />
      ) : null}
      {infoFor ? (
        <MessageInfoDialog
          message={infoFor}
          members={view.members}
          myUserId={me.id}
          onClose={() => setInfoFor(null)}
        />
      ) : null}
      {detailsOpen && groupActions ? (
        <DetailsPanel
          title={title}
          groupTitle={groupTitle}
          isGroup={isGroup}
          members={view.members}
          myUserId={me.id}
          showPresence={status === 'open'}
          actions={groupActions}
          onClose={() => setDetailsOpen(false)}
        />
      ) : null}
    </section>
  );
}
