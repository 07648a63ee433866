import { useCallback, useMemo, useState } from 'react';
import type { Conversation } from '@chat/protocol';
import type { ChatClient, ConnectionStatus } from '@chat/client';
import { useConversation } from '../../hooks/use-conversation';
import { useNow } from '../../hooks/use-now';
import { conversationTitle } from '../../lib/conversation-title';
import { draftKey } from '../../lib/local-store';
import { ChatView } from './chat-view';
import type { ChatActions } from './chat-actions';
import { useActionErrors } from './use-action-errors';

export interface ChatWindowProps {
  client: ChatClient;
  conversationId: string;
  /** The list's entry, when it has one yet (title, group or not). */
  conversation: Conversation | undefined;
  me: { id: string; display_name: string };
  status: ConnectionStatus;
  onBack?: () => void;
  onReconnect?: () => void;
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
}: ChatWindowProps) {
  const view = useConversation(client, conversationId);
  const now = useNow();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const errors = useActionErrors();
  const report = errors.report;

  const actions = useMemo<ChatActions>(
    () => ({
      send: (body, replyTo) => {
        try {
          client.send(conversationId, body, { replyTo });
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
