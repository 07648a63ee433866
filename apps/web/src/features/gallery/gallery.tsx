import { useMemo, useState } from 'react';
import type { Conversation } from '@chat/protocol';
import type { ConnectionStatus } from '@chat/client';
import { ChatView } from '../../components/chat/chat-view';
import type { ChatActions } from '../../components/chat/chat-actions';
import { ConversationList } from '../../components/conversations/conversation-list';
import { NewConversationDialog } from '../../components/conversations/new-conversation-dialog';
import { ConnectionBanner } from '../../components/chat/connection-banner';
import { conversationTitle } from '../../lib/conversation-title';
import {
  IDS,
  ME,
  conversations,
  directMembers,
  directMessages,
  directPending,
  groupMembers,
  groupMessages,
  view,
} from './sample-data';

const noop = () => undefined;

/**
 * DEV GALLERY (`?gallery`): the real components on sample data, no server. Parameters:
 * `chat=direct|group|none`, `status=open|reconnecting|offline`, `typing`, `dialog`, `menu`.
 */
export function Gallery() {
  const params = new URLSearchParams(window.location.search);
  const [now] = useState(() => Date.now());
  const [selected, setSelected] = useState<string | null>(
    params.get('chat') === 'none' ? null : params.get('chat') === 'group' ? IDS.GROUP : IDS.DIRECT,
  );
  const [dialog, setDialog] = useState(params.has('dialog'));
  const status = (params.get('status') ?? 'open') as ConnectionStatus;
  const list = useMemo(() => conversations(now), [now]);
  const conversation = list.find((c) => c.id === selected);

  const chatView = useMemo(() => {
    if (selected === IDS.GROUP) {
      return view(IDS.GROUP, groupMessages(now), groupMembers(), {
        typingUserIds: params.has('typing') ? [IDS.DAN] : [],
      });
    }
    return view(IDS.DIRECT, directMessages(now), directMembers(params.has('unread') ? 10 : 12), {
      pending: directPending(now),
      typingUserIds: params.has('typing') ? [IDS.BOB] : [],
      hasMoreBefore: false,
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, now]);

  const actions: ChatActions = {
    send: noop,
    typing: noop,
    markRead: noop,
    edit: noop,
    unsend: noop,
    react: noop,
    retry: noop,
    loadOlder: noop,
  };

  return (
    <div className={`app-shell${selected ? ' app-shell--chat-open' : ''}`}>
      <div className="app-shell__list">
        <ConversationList
          conversations={list}
          myUserId={ME.id}
          myName={ME.display_name}
          selectedId={selected}
          loading={false}
          error={null}
          now={new Date(now)}
          isOnline={(c: Conversation) => c.id === IDS.DIRECT}
          hrefFor={(id) => `?gallery&chat=${id}`}
          onSelect={setSelected}
          onNewConversation={() => setDialog(true)}
          onSignOut={noop}
          banner={selected ? null : <ConnectionBanner status={status} />}
        />
      </div>
      <div className="app-shell__chat">
        {conversation ? (
          <ChatView
            key={conversation.id}
            view={chatView}
            me={ME}
            title={conversationTitle(conversation, ME.id)}
            isGroup={conversation.is_group}
            status={status}
            actions={actions}
            loadingOlder={false}
            now={new Date(now)}
            onBack={() => setSelected(null)}
          />
        ) : (
          <div className="app-shell__empty">Select a conversation</div>
        )}
      </div>
      {dialog ? (
        <NewConversationDialog
          searchUsers={async (query) =>
            [
              { id: IDS.BOB, display_name: 'Bob Marley', email: 'bob@example.com', is_agent: false },
              { id: IDS.CAROL, display_name: 'Carol Danvers', email: 'carol@example.com', is_agent: false },
              { id: IDS.DAN, display_name: 'Dan Brown', email: 'dan@example.com', is_agent: false },
            ].filter((u) => `${u.display_name} ${u.email}`.toLowerCase().includes(query.toLowerCase()))
          }
          createConversation={() => Promise.reject(new Error('The gallery cannot create conversations.'))}
          onCreated={noop}
          onClose={() => setDialog(false)}
        />
      ) : null}
    </div>
  );
}
