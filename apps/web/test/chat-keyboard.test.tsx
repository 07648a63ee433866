import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import type { Message } from '@chat/protocol';
import type { ConversationView } from '@chat/client';
import { ChatView } from '../src/components/chat/chat-view';
import type { ChatActions } from '../src/components/chat/chat-actions';
import { NewConversationDialog } from '../src/components/conversations/new-conversation-dialog';
import { BOB, CONVERSATION, ME, msg } from './fixtures';

/*
 * Keyboard use of the chat: the messages as one tab stop with arrow keys between them, the message
 * menu taking focus and giving it back, and focus coming back when an edit or the dialog closes.
 */

afterEach(cleanup);

function renderChat(messages: Message[]) {
  const view: ConversationView = {
    conversationId: CONVERSATION,
    joined: true,
    messages,
    pending: [],
    members: [
      {
        user_id: ME,
        display_name: 'Ada Lovelace',
        read_seq: 0,
        online: true,
        role: 'member',
        is_agent: false,
      },
      {
        user_id: BOB,
        display_name: 'Bob Marley',
        read_seq: 0,
        online: true,
        role: 'member',
        is_agent: false,
      },
    ],
    typingUserIds: [],
    lastSeq: messages.at(-1)?.updated_seq ?? 0,
    hasMoreBefore: false,
    streams: {},
    agentStatuses: [],
    error: null,
  };
  const actions: ChatActions = {
    send: vi.fn(),
    typing: vi.fn(),
    markRead: vi.fn(),
    edit: vi.fn(),
    unsend: vi.fn(),
    react: vi.fn(),
    retry: vi.fn(),
    loadOlder: vi.fn(),
  };
  render(
    <ChatView
      view={view}
      me={{ id: ME, display_name: 'Ada Lovelace' }}
      title="Bob Marley"
      isGroup={false}
      status="open"
      actions={actions}
      loadingOlder={false}
      now={new Date()}
    />,
  );
  return { actions, rows: () => screen.getAllByRole('article') };
}

const threeMessages = () => [
  msg(1, BOB, 'first, see example.com', 0),
  msg(2, BOB, 'second', 1),
  msg(3, ME, 'third', new Date()),
];

function key(target: Element, key: string, init: Partial<KeyboardEventInit> = {}) {
  fireEvent.keyDown(target, { key, ...init });
}

describe('messages as one tab stop', () => {
  it('gives the tab stop to the newest message only; the others and their controls are skipped', () => {
    const { rows } = renderChat(threeMessages());
    expect(rows().map((row) => row.tabIndex)).toEqual([-1, -1, 0]);
    expect(screen.getByRole('log').hasAttribute('tabindex')).toBe(false);
    const [first, , third] = rows();
    // Inside a skipped message, links and buttons are out of the tab order too.
    expect(first?.querySelector('a')?.getAttribute('tabindex')).toBe('-1');
    expect(first?.querySelector('button[aria-label="Message options"]')?.getAttribute('tabindex')).toBe('-1');
    expect(third?.querySelector('button[aria-label="Message options"]')?.hasAttribute('tabindex')).toBe(
      false,
    );
  });

  it('names each message by sender, text and time', () => {
    const { rows } = renderChat([msg(1, BOB, 'hello', 0)]);
    const name = rows()[0]?.getAttribute('aria-labelledby')?.split(' ') ?? [];
    const text = name.map((id) => document.getElementById(id)?.textContent).join(' ');
    expect(text).toMatch(/^Bob Marley: hello \d{1,2}:00/u);
  });

  it('moves focus with Up, Down, Home and End, and the tab stop follows focus', () => {
    const { rows } = renderChat(threeMessages());
    const [first, second, third] = rows();
    third?.focus();
    key(third!, 'ArrowUp');
    expect(document.activeElement).toBe(second);
    expect(rows().map((row) => row.tabIndex)).toEqual([-1, 0, -1]);
    key(second!, 'Home');
    expect(document.activeElement).toBe(first);
    key(first!, 'ArrowUp');
    expect(document.activeElement).toBe(first);
    key(first!, 'End');
    expect(document.activeElement).toBe(third);
    key(third!, 'ArrowDown');
    expect(document.activeElement).toBe(third);
    key(third!, 'ArrowUp');
    key(second!, 'ArrowDown');
    expect(document.activeElement).toBe(third);
  });

  it('leaves arrow keys alone when focus is on a control inside a message', () => {
    const { rows } = renderChat(threeMessages());
    const options = rows()[2]?.querySelector<HTMLButtonElement>('button[aria-label="Message options"]');
    options?.focus();
    key(options!, 'ArrowUp');
    expect(document.activeElement).toBe(options);
  });
});

describe('the message menu from the keyboard', () => {
  it('opens on Enter with focus on its first item, walks with arrows, and Escape gives focus back', () => {
    const { rows } = renderChat(threeMessages());
    const second = rows()[1]!;
    second.focus();
    key(second, 'Enter');
    const menu = screen.getByRole('menu', { name: 'Message actions' });
    expect(document.activeElement).toBe(screen.getByRole('menuitemcheckbox', { name: 'Love' }));
    key(document.activeElement!, 'ArrowRight');
    expect(document.activeElement).toBe(screen.getByRole('menuitemcheckbox', { name: 'Like' }));
    key(document.activeElement!, 'ArrowLeft');
    key(document.activeElement!, 'ArrowLeft');
    expect(document.activeElement).toBe(screen.getByRole('menuitem', { name: 'Copy' }));
    key(document.activeElement!, 'Escape');
    expect(menu.isConnected).toBe(false);
    expect(document.activeElement).toBe(second);
  });

  it('closes on Tab and gives focus back to the message', () => {
    const { rows } = renderChat(threeMessages());
    const third = rows()[2]!;
    third.focus();
    key(third, 'ContextMenu');
    expect(screen.getByRole('menu')).toBeTruthy();
    key(document.activeElement!, 'Tab');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(third);
  });

  it('gives focus back to the options button it was opened from', () => {
    const { rows } = renderChat(threeMessages());
    const options = rows()[2]!.querySelector<HTMLButtonElement>('button[aria-label="Message options"]')!;
    options.focus();
    fireEvent.click(options);
    expect(screen.getByRole('menu').contains(document.activeElement)).toBe(true);
    key(document.activeElement!, 'Escape');
    expect(document.activeElement).toBe(options);
  });
});

describe('focus after an edit', () => {
  it('returns to the edited message on Escape and on save', () => {
    const { rows, actions } = renderChat(threeMessages());
    const editOnce = () => {
      const mine = rows()[2]!;
      mine.focus();
      key(mine, 'Enter');
      fireEvent.click(screen.getByRole('menuitem', { name: 'Edit' }));
      const field = screen.getByRole('textbox', { name: 'Edit message' });
      expect(document.activeElement).toBe(field);
      return field;
    };
    key(editOnce(), 'Escape');
    expect(screen.queryByRole('textbox', { name: 'Edit message' })).toBeNull();
    expect(document.activeElement).toBe(rows()[2]);

    const field = editOnce();
    fireEvent.change(field, { target: { value: 'third, edited' } });
    key(field, 'Enter');
    expect(actions.edit).toHaveBeenCalledWith(msg(3, ME, '', 0).id, 'third, edited');
    expect(document.activeElement).toBe(rows()[2]);
  });
});

describe('focus after the New conversation dialog', () => {
  function Shell() {
    const [open, setOpen] = useState(false);
    return (
      <>
        <button type="button" onClick={() => setOpen(true)}>
          New conversation
        </button>
        <textarea aria-label="Message" />
        {open ? (
          <NewConversationDialog
            searchUsers={() => Promise.resolve([])}
            createConversation={() => Promise.reject(new Error('not here'))}
            onCreated={() => setOpen(false)}
            onClose={() => setOpen(false)}
          />
        ) : null}
      </>
    );
  }

  it('goes back to the button that opened it, on Escape and on Cancel', () => {
    render(<Shell />);
    const opener = screen.getByRole('button', { name: 'New conversation' });
    for (const close of ['Escape', 'Cancel'] as const) {
      opener.focus();
      fireEvent.click(opener);
      const search = screen.getByRole('searchbox', { name: 'Search people' });
      expect(document.activeElement).toBe(search);
      if (close === 'Escape') key(search, 'Escape');
      else fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
      expect(screen.queryByRole('dialog')).toBeNull();
      expect(document.activeElement, close).toBe(opener);
    }
  });
});
