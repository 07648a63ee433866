import type { Conversation } from '@chat/protocol';
import type { ReactNode } from 'react';
import { ComposeIcon } from '../ui/icons';
import { ConversationRow } from './conversation-row';

interface ConversationListProps {
  conversations: readonly Conversation[];
  myUserId: string;
  myName: string;
  selectedId: string | null;
  loading: boolean;
  error: string | null;
  now: Date;
  isOnline: (conversation: Conversation) => boolean;
  hrefFor: (conversationId: string) => string;
  onSelect: (conversationId: string) => void;
  onNewConversation: () => void;
  onSignOut: () => void;
  /** Connection trouble shown above the list (when no chat window shows its own banner). */
  banner?: ReactNode;
}

/** The sidebar: title bar with "New conversation" and "Sign out", then conversations newest first. */
export function ConversationList(props: ConversationListProps) {
  const { conversations } = props;
  return (
    <nav className="conversation-list" aria-label="Conversations">
      <header className="conversation-list__header">
        <button type="button" className="text-button" onClick={props.onSignOut}>
          Sign out
        </button>
        <h1 className="conversation-list__title">Messages</h1>
        <button
          type="button"
          className="icon-button icon-button--accent"
          aria-label="New conversation"
          title="New conversation"
          onClick={props.onNewConversation}
        >
          <ComposeIcon />
        </button>
      </header>
      {props.banner}
      <p className="conversation-list__me">Signed in as {props.myName}</p>
      {props.error ? (
        <p className="conversation-list__error" role="alert">
          {props.error}
        </p>
      ) : null}
      {props.loading && conversations.length === 0 ? (
        <p className="conversation-list__placeholder">Loading conversations…</p>
      ) : null}
      {!props.loading && conversations.length === 0 && !props.error ? (
        <div className="conversation-list__placeholder">
          <p>No conversations yet.</p>
          <button type="button" className="pill-button" onClick={props.onNewConversation}>
            Start one
          </button>
        </div>
      ) : null}
      <ul className="conversation-list__items">
        {conversations.map((conversation) => (
          <ConversationRow
            key={conversation.id}
            conversation={conversation}
            myUserId={props.myUserId}
            selected={conversation.id === props.selectedId}
            online={props.isOnline(conversation)}
            now={props.now}
            href={props.hrefFor(conversation.id)}
            onSelect={props.onSelect}
          />
        ))}
      </ul>
    </nav>
  );
}
