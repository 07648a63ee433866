import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { JoinedMember, Message } from '@chat/protocol';
import type { ConversationView } from '@chat/client';
import { ChatView } from '../src/components/chat/chat-view';
import type { ChatActions } from '../src/components/chat/chat-actions';
import { splitMentions, mentionQuery } from '../src/lib/mentions';
import { BOB, CAROL, CONVERSATION, ME, msg } from './fixtures';

afterEach(cleanup);

const person = (user_id: string, display_name: string, read_seq: number): JoinedMember => ({
  user_id,
  display_name,
  read_seq,
  online: true,
  role: 'member',
  is_agent: false,
});

function view(messages: Message[], members: JoinedMember[]): ConversationView {
  return {
    conversationId: CONVERSATION,
    joined: true,
    messages,
    pending: [],
    members,
    typingUserIds: [],
    lastSeq: messages.at(-1)?.updated_seq ?? 0,
    hasMoreBefore: false,
    streams: {},
    agentStatuses: [],
    error: null,
  };
}

function actions(): ChatActions {
  return {
    send: vi.fn(),
    typing: vi.fn(),
    markRead: vi.fn(),
    edit: vi.fn(),
    unsend: vi.fn(),
    react: vi.fn(),
    retry: vi.fn(),
    loadOlder: vi.fn(),
  };
}

function chat(v: ConversationView, isGroup: boolean, a = actions()) {
  return (
    <ChatView
      view={v}
      me={{ id: ME, display_name: 'Ada Lovelace' }}
      title={isGroup ? 'Trip' : 'Bob Marley'}
      isGroup={isGroup}
      status="open"
      actions={a}
      loadingOlder={false}
      now={new Date(2025, 5, 18, 12, 0)}
    />
  );
}

describe('receipts that tell the truth', () => {
  it('1:1: Delivered, then "Read <time>" when this screen sees it read', () => {
    const messages = [msg(1, ME, 'one', 0)];
    const { rerender } = render(
      chat(view(messages, [person(ME, 'Ada', 1), person(BOB, 'Bob Marley', 0)]), false),
    );
    expect(screen.getByText('Delivered')).toBeTruthy();
    rerender(chat(view(messages, [person(ME, 'Ada', 1), person(BOB, 'Bob Marley', 1)]), false));
    expect(screen.getByText(/^Read \d{1,2}:\d{2}/u)).toBeTruthy();
  });

  it('group: "Read by Bob", then "Read by 2 of 2"', () => {
    const messages = [msg(1, ME, 'one', 0)];
    const members = (bob: number, carol: number) => [
      person(ME, 'Ada', 1),
      person(BOB, 'Bob Marley', bob),
      person(CAROL, 'Carol Danvers', carol),
    ];
    const { rerender } = render(chat(view(messages, members(1, 0)), true));
    expect(screen.getByText('Read by Bob')).toBeTruthy();
    rerender(chat(view(messages, members(1, 1)), true));
    expect(screen.getByText('Read by 2 of 2')).toBeTruthy();
  });
});

describe('system lines and the New messages divider', () => {
  it('shows system messages as lines and puts "New messages" above the first unread', () => {
    const messages = [
      msg(1, BOB, 'seen', 0),
      msg(2, BOB, '', 1, { kind: 'system', client_id: null, event: { type: 'renamed', title: 'Trip' } }),
      msg(3, BOB, 'not seen yet', 2),
    ];
    render(chat(view(messages, [person(ME, 'Ada', 1), person(BOB, 'Bob Marley', 3)]), true));
    const log = screen.getByRole('log', { name: 'Messages' });
    expect(within(log).getByText('Bob Marley named the conversation “Trip”')).toBeTruthy();
    const divider = within(log).getByRole('separator', { name: 'New messages' });
    const unread = within(log).getByText('not seen yet');
    expect(divider.compareDocumentPosition(unread) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const seen = within(log).getByText('seen');
    expect(divider.compareDocumentPosition(seen) & Node.DOCUMENT_POSITION_PRECEDING).toBeTruthy();
  });
});

describe('mentions', () => {
  it('"@" offers the members; arrows, Enter pick; the send carries the mention', () => {
    const a = actions();
    const members = [person(ME, 'Ada', 0), person(BOB, 'Bob Marley', 0), person(CAROL, 'Carol Danvers', 0)];
    render(chat(view([], members), true, a));
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: 'hi @', selectionStart: 4 } });
    const list = screen.getByRole('listbox', { name: 'Mention' });
    expect(
      within(list)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['BMBob Marley', 'CDCarol Danvers']);
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    expect(box.getAttribute('aria-activedescendant')).toBe(within(list).getAllByRole('option')[1]?.id);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe('hi @Carol Danvers ');
    expect(screen.queryByRole('listbox')).toBeNull();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(a.send).toHaveBeenCalledWith('hi @Carol Danvers ', null, [CAROL]);
  });

  it('a pick in the middle of the text leaves the caret after the name at once, for the next key', () => {
    const members = [person(ME, 'Ada', 0), person(CAROL, 'Carol Danvers', 0)];
    render(chat(view([], members), true));
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: 'hi @ca and you', selectionStart: 6 } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe('hi @Carol Danvers and you');
    // No frame has passed: a key typed now must land right after "@Carol Danvers ".
    expect([box.selectionStart, box.selectionEnd]).toEqual([18, 18]);
  });

  it('Escape closes the offer; the text stays', () => {
    const members = [person(ME, 'Ada', 0), person(BOB, 'Bob Marley', 0)];
    render(chat(view([], members), true));
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: '@b', selectionStart: 2 } });
    expect(screen.getByRole('listbox', { name: 'Mention' })).toBeTruthy();
    fireEvent.keyDown(box, { key: 'Escape' });
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(box.value).toBe('@b');
  });

  it('splits text at the mentioned names, longest first', () => {
    expect(splitMentions('hey @Ada Lovelace and @Ada', ['Ada', 'Ada Lovelace'])).toEqual([
      { kind: 'text', text: 'hey ' },
      { kind: 'mention', text: '@Ada Lovelace' },
      { kind: 'text', text: ' and ' },
      { kind: 'mention', text: '@Ada' },
    ]);
    expect(mentionQuery('mail a@b', 8)).toBeNull();
    expect(mentionQuery('hi @gr', 6)).toEqual({ start: 3, query: 'gr' });
  });
});
