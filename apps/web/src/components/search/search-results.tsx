import type { Conversation, SearchResult } from '@chat/protocol';
import { conversationTitle } from '../../lib/conversation-title';
import { formatListTime } from '../../lib/format-time';
import { highlightParts } from '../../lib/highlight';
import { Avatar } from '../ui/avatar';
import { useMessageSearch } from './use-message-search';

export interface OpenResult {
  conversationId: string;
  messageId: string;
  seq: number;
}

interface SearchResultsProps {
  query: string;
  conversations: readonly Conversation[];
  myUserId: string;
  now: Date;
  hrefFor: (conversationId: string) => string;
  searchMessages: (q: string) => Promise<{ results: SearchResult[] }>;
  onSelect: (conversationId: string) => void;
  onOpenResult: (result: OpenResult) => void;
}

/**
 * What the "Search" box finds: conversations by name (here, from the list) and messages by text
 * (the server), each message with its matched words marked. Opening one shows it in place.
 */
export function SearchResults(props: SearchResultsProps) {
  const { query, conversations, myUserId } = props;
  const messages = useMessageSearch(query, props.searchMessages);
  const needle = query.trim().toLocaleLowerCase();
  const titled = conversations.filter((c) =>
    conversationTitle(c, myUserId).toLocaleLowerCase().includes(needle),
  );
  const byId = new Map(conversations.map((c) => [c.id, c]));

  return (
    <div className="search-results">
      <section aria-label="Conversations found">
        <h2 className="search-results__heading">Conversations</h2>
        {titled.length === 0 ? <p className="search-results__note">No conversations found.</p> : null}
        <ul className="search-results__list">
          {titled.map((c) => {
            const title = conversationTitle(c, myUserId);
            return (
              <li key={c.id}>
                <a
                  className="search-result"
                  href={props.hrefFor(c.id)}
                  onClick={(event) => {
                    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                    event.preventDefault();
                    props.onSelect(c.id);
                  }}
                >
                  <Avatar name={title} size="small" />
                  <span className="search-result__title">{title}</span>
                </a>
              </li>
            );
          })}
        </ul>
      </section>
      <section aria-label="Messages found" aria-busy={messages.searching}>
        <h2 className="search-results__heading">Messages</h2>
        {messages.error ? (
          <p className="search-results__note" role="alert">
            {messages.error}
          </p>
        ) : null}
        {!messages.searching && !messages.error && messages.results.length === 0 ? (
          <p className="search-results__note">No messages found.</p>
        ) : null}
        <ul className="search-results__list">
          {messages.results.map((result) => {
            const conversation = byId.get(result.conversation_id);
            const title = conversation ? conversationTitle(conversation, myUserId) : 'Conversation';
            const sender =
              result.message.sender_id === myUserId
                ? 'You'
                : (conversation?.members.find((m) => m.user_id === result.message.sender_id)?.display_name ??
                  'Someone');
            return (
              <li key={result.message.id}>
                <a
                  className="search-result search-result--message"
                  href={props.hrefFor(result.conversation_id)}
                  onClick={(event) => {
                    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                    event.preventDefault();
                    props.onOpenResult({
                      conversationId: result.conversation_id,
                      messageId: result.message.id,
                      seq: result.message.seq,
                    });
                  }}
                >
                  <span className="search-result__top">
                    <span className="search-result__title">{title}</span>
                    <span className="search-result__time">
                      {formatListTime(result.message.created_at, props.now)}
                    </span>
                  </span>
                  <span className="search-result__body">
                    <span className="search-result__sender">{sender}: </span>
                    {highlightParts(result.message.body, result.matches).map((part, i) =>
                      part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
                    )}
                  </span>
                </a>
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
