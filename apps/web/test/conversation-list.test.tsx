import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { Conversation, User } from '@chat/protocol';
import { ConversationList } from '../src/components/conversations/conversation-list';
import { NewConversationDialog } from '../src/components/conversations/new-conversation-dialog';
import { BOB, CAROL, ME, msg } from './fixtures';

afterEach(cleanup);

const now = new Date(2025, 5, 18, 12, 0);

function conversation(id: string, extra: Partial<Conversation>): Conversation {
  return {
    id,
    title: null,
    is_group: false,
    members: [
      { user_id: ME, display_name: 'Ada Lovelace', read_seq: 0, role: 'member', is_agent: false },
      { user_id: BOB, display_name: 'Bob Marley', read_seq: 0, role: 'member', is_agent: false },
    ],
    last_message: null,
    last_seq: 0,
    unread_count: 0,
    unread_mentions: 0,
    settings: { muted_until: null, archived: false, pinned: false },
    created_at: now.toISOString(),
    ...extra,
  };
}

function renderList(conversations: Conversation[]) {
  render(
    <ConversationList
      conversations={conversations}
      myUserId={ME}
      myName="Ada Lovelace"
      selectedId={null}
      loading={false}
      error={null}
      now={now}
      isOnline={() => false}
      hrefFor={(id) => `#/c/${id}`}
      onSelect={vi.fn()}
      onNewConversation={vi.fn()}
      onSignOut={vi.fn()}
    />,
  );
}

describe('ConversationList', () => {
  it('names each entry by the other person or the group, with preview and unread count', () => {
    const group = conversation('30000000-0000-4000-8000-000000000002', {
      is_group: true,
      members: [
        { user_id: ME, display_name: 'Ada Lovelace', read_seq: 0, role: 'member', is_agent: false },
        { user_id: BOB, display_name: 'Bob Marley', read_seq: 0, role: 'member', is_agent: false },
        { user_id: CAROL, display_name: 'Carol Danvers', read_seq: 0, role: 'member', is_agent: false },
      ],
      last_message: msg(3, BOB, '', 0, { deleted_at: now.toISOString() }),
      unread_count: 0,
    });
    const direct = conversation('30000000-0000-4000-8000-000000000001', {
      last_message: msg(1, BOB, 'see you <b>soon</b>', 0),
      unread_count: 3,
    });
    renderList([direct, group]);
    const bob = screen.getByRole('link', { name: 'Bob Marley' });
    expect(bob.getAttribute('href')).toBe('#/c/30000000-0000-4000-8000-000000000001');
    const details = document.getElementById(bob.getAttribute('aria-describedby') ?? '');
    expect(details?.textContent).toContain('see you <b>soon</b>');
    expect(details?.textContent).toContain('3 unread');
    expect(details?.textContent).toContain('9:00 AM');
    const group_ = screen.getByRole('link', { name: 'Bob, Carol' });
    expect(document.getElementById(group_.getAttribute('aria-describedby') ?? '')?.textContent).toContain(
      'Message unsent',
    );
  });

  it('has New conversation and Sign out buttons', () => {
    renderList([]);
    expect(screen.getByRole('button', { name: 'New conversation' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
  });
});

describe('NewConversationDialog', () => {
  const people: User[] = [
    { id: BOB, display_name: 'Bob Marley', email: 'bob@example.com', is_agent: false },
    { id: CAROL, display_name: 'Carol Danvers', email: 'carol@example.com', is_agent: false },
  ];

  it('searches as you type, picks several people and starts a titled group', async () => {
    const searchUsers = vi.fn(async (query: string) =>
      people.filter((p) => `${p.display_name} ${p.email}`.toLowerCase().includes(query.toLowerCase())),
    );
    const created = conversation('30000000-0000-4000-8000-000000000003', { is_group: true });
    const createConversation = vi.fn(async () => created);
    const onCreated = vi.fn();
    render(
      <NewConversationDialog
        searchUsers={searchUsers}
        createConversation={createConversation}
        onCreated={onCreated}
        onClose={vi.fn()}
      />,
    );
    const start = screen.getByRole('button', { name: 'Start conversation' }) as HTMLButtonElement;
    expect(start.disabled).toBe(true);

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search people' }), { target: { value: 'bob' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Bob Marley' }));
    expect(searchUsers).toHaveBeenLastCalledWith('bob');

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search people' }), {
      target: { value: 'carol@' },
    });
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Bob Marley' })).toBeNull());
    fireEvent.click(await screen.findByRole('button', { name: 'Carol Danvers' }));

    fireEvent.change(screen.getByLabelText('Group title'), { target: { value: 'Hike' } });
    fireEvent.click(start);
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
    expect(createConversation).toHaveBeenCalledWith([BOB, CAROL], 'Hike');
  });
});
