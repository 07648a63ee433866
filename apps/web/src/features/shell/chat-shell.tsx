import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Conversation, SettingsRequest } from '@chat/protocol';
import type { OpenResult } from '../../components/search/search-results';
import { useAuth } from '../../auth/auth-context';
import { useWebSocket } from '../../hooks/use-websocket';
import { useConversationList } from '../../hooks/use-conversation-list';
import { useNow } from '../../hooks/use-now';
import { ChatWindow } from '../../components/chat/chat-window';
import { ConnectionBanner } from '../../components/chat/connection-banner';
import { ConversationList } from '../../components/conversations/conversation-list';
import { NewConversationDialog } from '../../components/conversations/new-conversation-dialog';
import { conversationHref, useHashRoute } from './use-hash-route';
import { useOnlineConversations } from './use-online-conversations';
import { useDocumentTitle } from './use-document-title';
import { useCachedConversations } from './use-cached-conversations';
import { forgetUser } from '../../lib/local-store';
import { isMuted } from '../../lib/mute';
import { ProfileButton } from '../profile/profile-button';
import { AgentsButton } from '../agents/agents-button';
import { agentsApiOf } from '../agents/agents-api';
import { NotificationsControl } from '../notifications/notifications-control';
import { useNotificationPrefs } from '../notifications/notification-prefs';
import { useMessageNotifications } from '../notifications/use-message-notifications';
import { usePageHidden } from '../notifications/use-page-hidden';

/** The server's WebSocket on this same origin (the dev server proxies it). */
function webSocketUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

/** The signed-in app: one connection, the conversation list and the open chat. */
export function ChatShell() {
  const { user, getToken, signOut } = useAuth();
  if (!user) throw new Error('ChatShell needs a signed-in user');
  const me = useMemo(() => ({ id: user.id, display_name: user.display_name }), [user.id, user.display_name]);
  const url = useMemo(() => webSocketUrl(window.location), []);
  const { status, client } = useWebSocket({ url, getToken, userId: me.id });
  const liveConversations = useConversationList(client);
  // Until the live list loads (never, while offline), the one last seen on this device.
  const conversations = useCachedConversations(me.id, liveConversations, client.conversationsLoaded);
  const online = useOnlineConversations(client, me.id);
  const { selectedId, open, close } = useHashRoute();
  const [composing, setComposing] = useState(false);
  const now = useNow();
  const hidden = usePageHidden();
  const prefs = useNotificationPrefs(me.id);
  useMessageNotifications(client, me.id, conversations, prefs);

  // A notification clicked (the service worker asks this window): open its conversation.
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    const worker = navigator.serviceWorker;
    const received = (event: MessageEvent<unknown>) => {
      const data = event.data as { type?: unknown; conversation_id?: unknown } | null;
      if (data?.type === 'open-conversation' && typeof data.conversation_id === 'string') {
        open(data.conversation_id);
      }
    };
    worker.addEventListener('message', received);
    return () => worker.removeEventListener('message', received);
  }, [open]);

  // Muted conversations do not count in the title (a mention in one still does, as it notifies).
  // The open one counts too while the page is hidden: nobody is reading it then.
  useDocumentTitle(
    conversations.reduce(
      (sum, c) =>
        sum +
        ((c.id === selectedId && !hidden) || c.settings.archived
          ? 0
          : isMuted(c, now)
            ? c.unread_mentions
            : c.unread_count),
      0,
    ),
  );

  const selected = selectedId ? conversations.find((c) => c.id === selectedId) : undefined;
  // Presence is stale while disconnected: show nobody online then.
  const isOnline = useCallback((c: Conversation) => status === 'open' && online.has(c.id), [online, status]);
  const searchUsers = useCallback((query: string) => client.api.searchUsers(query), [client]);
  const createConversation = useCallback(
    (memberIds: string[], title: string | null) => client.api.createConversation(memberIds, title),
    [client],
  );
  const reconnect = useCallback(() => client.start(), [client]);
  const agentsApi = useMemo(() => agentsApiOf(client), [client]);
  const [settingsError, setSettingsError] = useState<string | null>(null);
  const updateSettings = useCallback(
    (conversationId: string, settings: SettingsRequest) => {
      setSettingsError(null);
      client
        .updateSettings(conversationId, settings)
        .catch((error: unknown) =>
          setSettingsError(error instanceof Error ? error.message : 'Could not change the conversation.'),
        );
    },
    [client],
  );
  const searchMessages = useCallback((q: string) => client.search(q), [client]);
  // A search result to open in place: its conversation, then the message, flashed.
  const [focus, setFocus] = useState<OpenResult | null>(null);
  const select = useCallback(
    (conversationId: string) => {
      setFocus(null);
      open(conversationId);
    },
    [open],
  );
  const openResult = useCallback(
    (result: OpenResult) => {
      setFocus(result);
      open(result.conversationId);
    },
    [open],
  );
  const closeDialog = useCallback(() => setComposing(false), []);

  return (
    <div className={`app-shell${selectedId ? ' app-shell--chat-open' : ''}`}>
      <div className="app-shell__list">
        <ConversationList
          conversations={conversations}
          myUserId={me.id}
          myName={me.display_name}
          selectedId={selectedId}
          loading={!client.conversationsLoaded}
          error={
            settingsError ??
            (status === 'closed' && client.closeReason ? `Disconnected: ${client.closeReason}` : null)
          }
          now={now}
          isOnline={isOnline}
          hrefFor={conversationHref}
          onSelect={select}
          onNewConversation={() => setComposing(true)}
          onSettings={updateSettings}
          searchMessages={searchMessages}
          onOpenResult={openResult}
          onSignOut={() => {
            // Drafts and the cached list are this person's: not for whoever uses the device next.
            forgetUser(me.id);
            void signOut();
          }}
          banner={selectedId ? null : <ConnectionBanner status={status} onRetry={reconnect} />}
        />
        <NotificationsControl api={client.api} userId={me.id} />
        <ProfileButton>
          <AgentsButton api={agentsApi} />
        </ProfileButton>
      </div>
      <main className="app-shell__chat">
        {selectedId ? (
          <ChatWindow
            key={selectedId}
            client={client}
            conversationId={selectedId}
            conversation={selected}
            me={me}
            status={status}
            onBack={close}
            onReconnect={reconnect}
            searchUsers={searchUsers}
            onLeft={close}
            focus={focus?.conversationId === selectedId ? focus : null}
          />
        ) : (
          <div className="app-shell__empty">Select a conversation or start a new one.</div>
        )}
      </main>
      {composing ? (
        <NewConversationDialog
          searchUsers={searchUsers}
          createConversation={createConversation}
          onCreated={(conversation) => {
            setComposing(false);
            open(conversation.id);
          }}
          onClose={closeDialog}
        />
      ) : null}
    </div>
  );
}
