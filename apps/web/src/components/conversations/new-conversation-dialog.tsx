import { useId, useRef, useState } from 'react';
import type { Conversation, User } from '@chat/protocol';
import { MAX_TITLE_LENGTH } from '@chat/protocol';
import { Avatar } from '../ui/avatar';
import { AgentBadge } from '../ui/agent-badge';
import { CloseIcon } from '../ui/icons';
import { ModalDialog } from '../ui/modal-dialog';
import { usePeopleSearch } from './use-people-search';

interface NewConversationDialogProps {
  searchUsers: (query: string) => Promise<User[]>;
  createConversation: (memberIds: string[], title: string | null) => Promise<Conversation>;
  onCreated: (conversation: Conversation) => void;
  onClose: () => void;
}

/**
 * "Search people", pick one or several, an optional group title, then "Start conversation".
 * Closing it (Cancel, Escape, a click outside) gives focus back to what had it before it opened.
 */
export function NewConversationDialog({
  searchUsers,
  createConversation,
  onCreated,
  onClose,
}: NewConversationDialogProps) {
  const headingId = useId();
  const [query, setQuery] = useState('');
  const [picked, setPicked] = useState<readonly User[]>([]);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const search = usePeopleSearch(query, searchUsers);

  const searchBox = useRef<HTMLInputElement>(null);
  const toggle = (user: User) => {
    const adding = !picked.some((u) => u.id === user.id);
    setPicked((current) => (adding ? [...current, user] : current.filter((u) => u.id !== user.id)));
    if (adding) {
      // As in Messages: a picked person becomes a chip and the search starts over.
      setQuery('');
      searchBox.current?.focus();
    }
  };

  const start = async () => {
    if (picked.length === 0 || busy) return;
    setBusy(true);
    setError(null);
    try {
      const groupTitle = picked.length > 1 && title.trim() ? title.trim() : null;
      const conversation = await createConversation(
        picked.map((u) => u.id),
        groupTitle,
      );
      onCreated(conversation);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : 'Could not start the conversation.');
      setBusy(false);
    }
  };

  return (
    <ModalDialog
      labelledBy={headingId}
      onClose={onClose}
      className="dialog"
      initialFocus=".new-conversation__search"
    >
      {(close) => (
        <>
          <header className="dialog__header">
            <button type="button" className="text-button" onClick={close}>
              Cancel
            </button>
            <h2 id={headingId} className="dialog__title">
              New conversation
            </h2>
            <span className="dialog__spacer" />
          </header>
          <form
            className="new-conversation"
            onSubmit={(event) => {
              event.preventDefault();
              void start();
            }}
          >
            <div className="new-conversation__to">
              <span className="new-conversation__to-label" aria-hidden="true">
                To:
              </span>
              {picked.map((user) => (
                <span key={user.id} className="chip">
                  {user.display_name}
                  <button
                    type="button"
                    className="chip__remove"
                    aria-label={`Remove ${user.display_name}`}
                    onClick={() => toggle(user)}
                  >
                    <CloseIcon size={10} />
                  </button>
                </span>
              ))}
              <input
                ref={searchBox}
                className="new-conversation__search"
                type="search"
                aria-label="Search people"
                placeholder="Name or e-mail"
                autoComplete="off"
                value={query}
                onChange={(event) => setQuery(event.target.value)}
              />
            </div>
            {picked.length > 1 ? (
              <label className="new-conversation__title">
                <span>Group title</span>
                <input
                  type="text"
                  placeholder="Optional"
                  maxLength={MAX_TITLE_LENGTH}
                  value={title}
                  onChange={(event) => setTitle(event.target.value)}
                />
              </label>
            ) : null}
            <div className="new-conversation__results" aria-busy={search.searching}>
              {search.error ? (
                <p className="new-conversation__note" role="alert">
                  {search.error}
                </p>
              ) : null}
              {!search.searching && !search.error && search.results.length === 0 ? (
                <p className="new-conversation__note">
                  {query.trim() ? 'No one found.' : 'No one else is here yet.'}
                </p>
              ) : null}
              <ul aria-label="People">
                {search.results.map((user) => {
                  const chosen = picked.some((u) => u.id === user.id);
                  return (
                    <li key={user.id}>
                      <button
                        type="button"
                        className={`person${chosen ? ' person--chosen' : ''}`}
                        aria-pressed={chosen}
                        aria-label={user.display_name}
                        aria-describedby={
                          user.is_agent
                            ? `person-${user.id}-agent person-${user.id}-email`
                            : `person-${user.id}-email`
                        }
                        onClick={() => toggle(user)}
                      >
                        <Avatar name={user.display_name} size="small" agent={user.is_agent} />
                        <span className="person__text">
                          <span className="person__name">
                            {user.display_name}
                            {user.is_agent ? <AgentBadge id={`person-${user.id}-agent`} /> : null}
                          </span>
                          <span className="person__email" id={`person-${user.id}-email`}>
                            {user.email}
                          </span>
                        </span>
                        <span className="person__check" aria-hidden="true">
                          {chosen ? '✓' : ''}
                        </span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            </div>
            {error ? (
              <p className="form-error" role="alert">
                {error}
              </p>
            ) : null}
            <button type="submit" className="primary-button" disabled={picked.length === 0 || busy}>
              Start conversation
            </button>
          </form>
        </>
      )}
    </ModalDialog>
  );
}
