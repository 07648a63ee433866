import { useEffect, useRef, useState } from 'react';
import type { User } from '@chat/protocol';
import { Avatar } from '../ui/avatar';
import { AgentBadge } from '../ui/agent-badge';
import { usePeopleSearch } from '../conversations/use-people-search';

/** "Add people": the same people search as New conversation; a person picked is added at once. */
export function AddPeople({
  memberIds,
  searchUsers,
  onAdd,
  onDone,
}: {
  memberIds: readonly string[];
  searchUsers: (query: string) => Promise<User[]>;
  onAdd: (user: User) => void;
  onDone: () => void;
}) {
  const [query, setQuery] = useState('');
  const box = useRef<HTMLInputElement>(null);
  const search = usePeopleSearch(query, searchUsers);
  const members = new Set(memberIds);
  const results = search.results.filter((u) => !members.has(u.id));
  useEffect(() => box.current?.focus(), []);

  return (
    <section className="add-people" aria-label="Add people">
      <div className="add-people__bar">
        <input
          ref={box}
          className="add-people__search"
          type="search"
          aria-label="Search people"
          placeholder="Name or e-mail"
          autoComplete="off"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key !== 'Escape') return;
            event.preventDefault();
            onDone();
          }}
        />
        <button type="button" className="text-button" aria-label="Done adding people" onClick={onDone}>
          Done
        </button>
      </div>
      {search.error ? (
        <p className="new-conversation__note" role="alert">
          {search.error}
        </p>
      ) : null}
      {query.trim() && !search.searching && !search.error && results.length === 0 ? (
        <p className="new-conversation__note">No one found.</p>
      ) : null}
      <ul className="add-people__results" aria-label="People">
        {results.map((user) => (
          <li key={user.id}>
            <button
              type="button"
              className="person"
              aria-label={user.display_name}
              aria-describedby={user.is_agent ? `add-${user.id}-agent` : undefined}
              onClick={() => {
                onAdd(user);
                setQuery('');
                box.current?.focus();
              }}
            >
              <Avatar name={user.display_name} size="small" agent={user.is_agent} />
              <span className="person__text">
                <span className="person__name">
                  {user.display_name}
                  {user.is_agent ? <AgentBadge id={`add-${user.id}-agent`} /> : null}
                </span>
                {user.email ? <span className="person__email">{user.email}</span> : null}
              </span>
              <span className="person__add" aria-hidden="true">
                Add
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
