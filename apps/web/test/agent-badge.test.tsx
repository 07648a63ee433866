import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import type { Conversation, JoinedMember, User } from '@chat/protocol';
import { NewConversationDialog } from '../src/components/conversations/new-conversation-dialog';
import { AddPeople } from '../src/components/group/add-people';
import { DetailsPanel } from '../src/components/group/details-panel';
import type { GroupActions } from '../src/components/group/details-panel';
import { ConversationRow } from '../src/components/conversations/conversation-row';
import { ChatHeader } from '../src/components/chat/chat-header';
import { BOB, CAROL, ME } from './fixtures';

afterEach(cleanup);

const now = new Date(2025, 5, 18, 12, 0);
const bob: User = { id: BOB, email: 'bob@example.com', display_name: 'Bob Marley', is_agent: false };
const bot: User = { id: CAROL, email: null, display_name: 'Assistant', is_agent: true };
const search = vi.fn(() => Promise.resolve([bob, bot]));

describe('the agent badge (section 14)', () => {
  it('marks agents found in New conversation: "AI" shown, "AI agent" in the description', async () => {
    render(
      <NewConversationDialog
        searchUsers={search}
        createConversation={vi.fn()}
        onCreated={vi.fn()}
        onClose={vi.fn()}
      />,
    );
    const people = await screen.findByRole('list', { name: 'People' });
    const agent = await within(people).findByRole('button', { name: 'Assistant' });
    expect(agent.getAttribute('aria-describedby')).toContain('agent');
    expect(within(agent).getByRole('img', { name: 'AI agent' }).textContent).toBe('AI');
    const person = within(people).getByRole('button', { name: 'Bob Marley' });
    expect(within(person).queryByRole('img', { name: 'AI agent' })).toBeNull();
  });

  it('marks agents found in Add people', async () => {
    render(<AddPeople memberIds={[ME]} searchUsers={search} onAdd={vi.fn()} onDone={vi.fn()} />);
    const agent = await screen.findByRole('button', { name: 'Assistant' });
    expect(within(agent).getByRole('img', { name: 'AI agent' })).toBeTruthy();
    expect(
      document.getElementById(agent.getAttribute('aria-describedby') ?? '')?.getAttribute('aria-label'),
    ).toBe('AI agent');
  });

  it('marks agent members in Details', () => {
    const member = (user_id: string, display_name: string, is_agent: boolean): JoinedMember => ({
      user_id,
      display_name,
      read_seq: 0,
      role: 'member',
      online: false,
      is_agent,
    });
    const actions: GroupActions = {
      rename: vi.fn(),
      addMembers: vi.fn(),
      removeMember: vi.fn(),
      makeAdmin: vi.fn(),
      leave: vi.fn(),
      searchUsers: search,
    };
    render(
      <DetailsPanel
        title="Team"
        groupTitle="Team"
        isGroup
        members={[
          member(ME, 'Ada Lovelace', false),
          member(BOB, 'Bob Marley', false),
          member(CAROL, 'Assistant', true),
        ]}
        myUserId={ME}
        showPresence
        actions={actions}
        onClose={vi.fn()}
      />,
    );
    const items = within(screen.getByRole('list', { name: 'Members' })).getAllByRole('listitem');
    const badged = items.filter((item) => within(item).queryByRole('img', { name: 'AI agent' }));
    expect(badged.map((item) => item.textContent)).toEqual([expect.stringContaining('Assistant')]);
  });

  it('tags a 1:1 with an agent in the conversation list, and says so in its description', () => {
    const conversation: Conversation = {
      id: '30000000-0000-4000-8000-000000000009',
      title: null,
      is_group: false,
      members: [
        { user_id: ME, display_name: 'Ada Lovelace', read_seq: 0, role: 'member', is_agent: false },
        { user_id: CAROL, display_name: 'Assistant', read_seq: 0, role: 'member', is_agent: true },
      ],
      last_message: null,
      last_seq: 0,
      unread_count: 0,
      unread_mentions: 0,
      settings: { muted_until: null, archived: false, pinned: false },
      created_at: now.toISOString(),
    };
    render(
      <ul>
        <ConversationRow
          conversation={conversation}
          myUserId={ME}
          selected={false}
          online={false}
          now={now}
          href="#"
        />
      </ul>,
    );
    const link = screen.getByRole('link', { name: 'Assistant' });
    expect(link.querySelector('.avatar__agent')?.textContent).toBe('AI');
    const description = document.getElementById(link.getAttribute('aria-describedby') ?? '');
    expect(description?.textContent).toContain('AI agent');
  });

  it('says "AI agent" under the name in the header of a 1:1 with an agent', () => {
    render(
      <ChatHeader title="Assistant" others={['Assistant']} isGroup={false} online status="open" agent />,
    );
    expect(screen.getByText('AI agent · Active now')).toBeTruthy();
    cleanup();
    render(<ChatHeader title="Bob Marley" others={['Bob Marley']} isGroup={false} online status="open" />);
    expect(screen.getByText('Active now')).toBeTruthy();
  });
});
