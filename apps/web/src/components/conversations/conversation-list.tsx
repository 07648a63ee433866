import { useCallback, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { Conversation, SearchResult, SettingsRequest } from '@chat/protocol';
import { ChevronLeftIcon, ComposeIcon, SearchIcon } from '../ui/icons';
import { ConversationRow } from './conversation-row';
import { ConversationMenu } from './conversation-menu';
import { SearchResults } from '../search/search-results';
import type { OpenResult } from '../search/search-results';

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
  /** This user's own settings of a conversation (Pin, Mute, Archive); none: no actions. */
  onSettings?: (conversationId: string, settings: SettingsRequest) => void;
  /** Message search (GET /api/search); none: no "Search" box. */
  searchMessages?: (q: string) => Promise<{ results: SearchResult[] }>;
  onOpenResult?: (result: OpenResult) => void;
}

interface OpenMenu {
  conversationId: string;
  at: { x: number; y: number };
}

/**
 * The sidebar: title bar with "New conversation" and "Sign out", the "Search" box, then
 * conversations (pinned first, then newest), each with its actions (Pin, Mute, Archive) on a
 * right-click, a long-press, a swipe left or its options button. Archived ones are in "Archived".
 */
export function ConversationList(props: ConversationListProps) {
  const { conversations, onSettings } = props;
  const [query, setQuery] = useState('');
  const [archivedView, setArchivedView] = useState(false);
  const [menu, setMenu] = useState<OpenMenu | null>(null);
  // What had focus when the menu opened (the options button, a row): it takes focus back.
  const menuOpener = useRef<HTMLElement | null>(null);
  const searching = query.trim() !== '' && props.searchMessages !== undefined;
  const shown = conversations.filter((c) => c.settings.archived === archivedView);
  const archivedCount = conversations.filter((c) => c.settings.archived).length;
  const menuFor = menu ? conversations.find((c) => c.id === menu.conversationId) : undefined;

  const openActions = useCallback((conversationId: string, at: { x: number; y: number }) => {
    menuOpener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setMenu({ conversationId, at });
  }, []);
  const closeMenu = useCallback(() => {
    setMenu(null);
    const opener = menuOpener.current;
    menuOpener.current = null;
    if (opener?.isConnected && opener !== document.body) opener.focus();
  }, []);

  return (
    <nav className="conversation-list" aria-label="Conversations">
      <header className="conversation-list__header">
        {archivedView ? (
          <button type="button" className="text-button" onClick={() => setArchivedView(false)}>
            <ChevronLeftIcon size={16} /> Messages
          </button>
        ) : (
          <button type="button" className="text-button" onClick={props.onSignOut}>
            Sign out
          </button>
        )}
        <h1 className="conversation-list__title">{archivedView ? 'Archived' : 'Messages'}</h1>
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
      {props.searchMessages ? (
        <div className="list-search">
          <SearchIcon />
          <input
            type="search"
            aria-label="Search"
            placeholder="Search"
            autoComplete="off"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape' && query) {
                event.preventDefault();
                setQuery('');
              }
            }}
          />
        </div>
      ) : null}
      {props.error ? (
        <p className="conversation-list__error" role="alert">
          {props.error}
        </p>
      ) : null}
      {searching && props.searchMessages ? (
        <SearchResults
          query={query}
          conversations={conversations}
          myUserId={props.myUserId}
          now={props.now}
          hrefFor={props.hrefFor}
          searchMessages={props.searchMessages}
          onSelect={props.onSelect}
          onOpenResult={(result) => props.onOpenResult?.(result)}
        />
      ) : (
        <>
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
          {archivedView && shown.length === 0 ? (
            <p className="conversation-list__placeholder">No archived conversations.</p>
          ) : null}
          <ul className="conversation-list__items">
            {shown.map((conversation) => (
              <ConversationRow
                key={conversation.id}
                conversation={conversation}
                myUserId={props.myUserId}
                selected={conversation.id === props.selectedId}
                online={props.isOnline(conversation)}
                now={props.now}
                href={props.hrefFor(conversation.id)}
                onSelect={props.onSelect}
                {...(onSettings ? { onActions: openActions } : {})}
              />
            ))}
          </ul>
          {!archivedView && archivedCount > 0 ? (
            <button
              type="button"
              className="text-button conversation-list__archived"
              onClick={() => setArchivedView(true)}
            >
              Archived ({archivedCount})
            </button>
          ) : null}
        </>
      )}
      {menu && menuFor && onSettings ? (
        <ConversationMenu
          conversation={menuFor}
          at={menu.at}
          now={props.now}
          onChange={(settings) => onSettings(menuFor.id, settings)}
          onClose={closeMenu}
        />
      ) : null}
    </nav>
  );
}
