import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Conversation, User } from '@chat/protocol';
import type { ChatClient, ConnectionStatus } from '@chat/client';
import { useConversation } from '../../hooks/use-conversation';
import { useNow } from '../../hooks/use-now';
import { conversationTitle } from '../../lib/conversation-title';
import { draftKey } from '../../lib/local-store';
import { ChatView } from './chat-view';
import type { ChatActions } from './chat-actions';
import { useActionErrors } from './use-action-errors';
import type { GroupActions } from '../group/details-panel';

export interface ChatWindowProps {
  client: ChatClient;
  conversationId: string;
  /** The list's entry, when it has one yet (title, group or not). */
  conversation: Conversation | undefined;
  me: { id: string; display_name: string };
  status: ConnectionStatus;
  onBack?: () => void;
  onReconnect?: () => void;
  /** The people search of New conversation, for "Add people". */
  searchUsers?: (query: string) => Promise<User[]>;
  /** A message to open the conversation at (a search result): loaded, shown and flashed. */
  focus?: { messageId: string; seq: number } | null;
  /** The user left the group from its Details. */
  onLeft?: () => void;
}

/**
 * One conversation, live: joins it on mount (through useConversation) and leaves on unmount,
 * shows the connection status, the messages and the composer, and turns the person's actions
 * into client calls.
 */
export function ChatWindow({
  client,
  conversationId,
  conversation,
  me,
  status,
  onBack,
  onReconnect,
  searchUsers,
  focus,
  onLeft,
}: ChatWindowProps) {
  const view = useConversation(client, conversationId);
  // The search result to show, once the history down to it is loaded.
  const [focused, setFocused] = useState<string | null>(null);
  const focusId = focus?.messageId ?? null;
  const focusSeq = focus?.seq ?? null;
  const joined = view.joined;
  const now = useNow();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const errors = useActionErrors();
  const report = errors.report;

  useEffect(() => {
    if (!joined || focusId === null || focusSeq === null) return;
    let current = true;
    client
      .loadUntil(conversationId, focusSeq)
      .then(() => {
        if (current) setFocused(focusId);
      })
      .catch((error: unknown) => report('load', error));
    return () => {
      current = false;
    };
  }, [client, conversationId, joined, focusId, focusSeq, report]);
  // It flashes a moment once in view, then is a message like the others.
  const onFocused = useCallback(() => {
    window.setTimeout(() => setFocused(null), 2400);
  }, []);

  const groupActions = useMemo<GroupActions | undefined>(
    () =>
      searchUsers
        ? {
            rename: (title) => client.rename(conversationId, title),
            addMembers: (userIds) => client.addMembers(conversationId, userIds),
            removeMember: (userId) => client.removeMember(conversationId, userId),
            makeAdmin: (userId) => client.changeRole(conversationId, userId, 'admin'),
            leave: () => client.leaveGroup(conversationId).then(() => onLeft?.()),
            searchUsers,
          }
        : undefined,
    [client, conversationId, searchUsers, onLeft],
  );
  const displayName = useCallback((userId: string) => client.displayName(userId), [client]);

  const actions = useMemo<ChatActions>(
    () => ({
      send: (body, replyTo, mentions, files) => {
        try {
          client.send(conversationId, body, { replyTo, mentions, ...(files?.length ? { files } : {}) });
        } catch (error) {
          report('send', error);
        }
      },
      typing: (isTyping) => client.setTyping(conversationId, isTyping),
      markRead: (seq) => void client.markRead(conversationId, seq).catch(() => undefined),
      edit: (messageId, body) =>
        void client.edit(messageId, body).catch((error: unknown) => report('edit', error)),
      unsend: (messageId) => void client.unsend(messageId).catch((error: unknown) => report('unsend', error)),
      react: (messageId, reaction) =>
        void client.react(messageId, reaction).catch((error: unknown) => report('react', error)),
      retry: (clientId) => client.retry(clientId),
      stop: (messageId) =>
        client.stopStream(messageId).catch((error: unknown) => {
          report('stop', error);
          throw error;
        }),
      loadOlder: () => {
        setLoadingOlder(true);
        client
          .loadOlder(conversationId)
          .catch((error: unknown) => report('load', error))
          .finally(() => setLoadingOlder(false));
      },
      ...(onReconnect ? { reconnect: onReconnect } : {}),
    }),
    [client, conversationId, report, onReconnect],
  );

  const members = view.members;
  const isGroup = conversation?.is_group ?? members.length > 2;
  const title = useMemo(
    () => conversationTitle(conversation ?? { title: null, is_group: isGroup, members }, me.id),
    [conversation, isGroup, members, me.id],
  );
  const dismiss = errors.dismiss;
  const onBackClick = useCallback(() => onBack?.(), [onBack]);

  if (view.error) {
    return (
      <section className="chat-view chat-view--unavailable" aria-label="Conversation">
        <div className="app-shell__empty">
          <div>
            <p role="alert">
              {view.error.code === 'forbidden'
                ? 'You are not a member of this conversation.'
                : view.error.code === 'not_found'
                  ? 'This conversation does not exist.'
                  : view.error.message}
            </p>
            {onBack ? (
              <button type="button" className="pill-button" onClick={onBackClick}>
                Back to conversations
              </button>
            ) : null}
          </div>
        </div>
      </section>
    );
  }

  return (
    <>
      <ChatView
        view={view}
        me={me}
        title={title || (view.joined ? 'Conversation' : 'Loading…')}
        isGroup={isGroup}
        status={status}
        actions={actions}
        loadingOlder={loadingOlder}
        now={now}
        onBack={onBack}
        draftKey={draftKey(me.id, conversationId)}
        displayName={displayName}
        groupTitle={conversation?.title ?? null}
        {...(groupActions ? { groupActions } : {})}
        focusMessageId={focused}
        onFocused={onFocused}
      />
      {errors.current ? (
        <div className="toast" role="alert">
          <span>{errors.current}</span>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={dismiss}>
            ×
          </button>
        </div>
      ) : null}
    </>
  );
}
