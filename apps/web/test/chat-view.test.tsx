import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { JoinedMember, Message } from '@chat/protocol';
import type { ConversationView } from '@chat/client';
import { ChatView } from '../src/components/chat/chat-view';
import type { ChatActions } from '../src/components/chat/chat-actions';
import { BOB, CONVERSATION, ME, msg, pending } from './fixtures';

afterEach(cleanup);

function members(bobRead: number): JoinedMember[] {
  return [
    { user_id: ME, display_name: 'Ada Lovelace', read_seq: 0, online: true, role: 'member', is_agent: false },
    {
      user_id: BOB,
      display_name: 'Bob Marley',
      read_seq: bobRead,
      online: true,
      role: 'member',
      is_agent: false,
    },
  ];
}

function view(messages: Message[], extra: Partial<ConversationView> = {}): ConversationView {
  return {
    conversationId: CONVERSATION,
    joined: true,
    messages,
    pending: [],
    members: members(0),
    typingUserIds: [],
    lastSeq: messages.at(-1)?.updated_seq ?? 0,
    hasMoreBefore: false,
    streams: {},
    agentStatuses: [],
    error: null,
    ...extra,
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

function renderChat(
  v: ConversationView,
  a = actions(),
  status: 'open' | 'reconnecting' | 'offline' = 'open',
) {
  render(
    <ChatView
      view={v}
      me={{ id: ME, display_name: 'Ada Lovelace' }}
      title="Bob Marley"
      isGroup={false}
      status={status}
      actions={a}
      loadingOlder={false}
      now={new Date(2025, 5, 18, 12, 0)}
    />,
  );
  return a;
}

describe('ChatView', () => {
  it('renders a message body as text inside the log, never as HTML', () => {
    renderChat(view([msg(1, BOB, '<img src=x onerror=alert(1)>', 0)]));
    const log = screen.getByRole('log');
    expect(log.querySelector('img')).toBeNull();
    expect(within(log).getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
  });

  it('shows Delivered, then Read, under my last message', () => {
    const messages = [msg(1, ME, 'one', 0), msg(2, ME, 'two', 1)];
    renderChat(view(messages, { members: members(1) }));
    expect(screen.getAllByText('Delivered')).toHaveLength(1);
    cleanup();
    renderChat(view(messages, { members: members(2) }));
    expect(screen.getByText('Read')).toBeTruthy();
    expect(screen.queryByText('Delivered')).toBeNull();
  });

  it('names the typing bubble "NAME is typing"', () => {
    renderChat(view([msg(1, BOB, 'hi', 0)], { typingUserIds: [BOB] }));
    expect(screen.getByLabelText('Bob Marley is typing')).toBeTruthy();
  });

  it('shows unsent messages as notices', () => {
    const deleted = { deleted_at: new Date().toISOString(), body: '' };
    renderChat(view([msg(1, BOB, '', 0, deleted), msg(2, ME, '', 1, deleted)]));
    expect(screen.getByText('Bob Marley unsent a message')).toBeTruthy();
    expect(screen.getByText('You unsent a message')).toBeTruthy();
  });

  it('sends with Enter, adds a line with Shift+Enter', () => {
    const a = renderChat(view([]));
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'hello' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(a.send).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(a.send).toHaveBeenCalledWith('hello', null, []);
    expect((box as HTMLTextAreaElement).value).toBe('');
  });

  it('has a Send button that is disabled for blank text', () => {
    const a = renderChat(view([]));
    const send = screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.change(screen.getByRole('textbox', { name: 'Message' }), { target: { value: '  hi ' } });
    fireEvent.click(send);
    expect(a.send).toHaveBeenCalledWith('  hi ', null, []);
  });

  it('shows Not Delivered with a retry for a failed send', () => {
    const a = renderChat(view([], { pending: [pending(1, 'oops', 0, 'failed')] }));
    expect(screen.getByText('Not Delivered')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(a.retry).toHaveBeenCalledWith(pending(1, 'oops', 0).client_id);
  });

  it('shows a status banner while reconnecting, none while open', () => {
    renderChat(view([]), actions(), 'reconnecting');
    expect(screen.getByRole('status').textContent).toContain('Reconnecting');
    cleanup();
    renderChat(view([]));
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('reacts with a tapback from the message menu', () => {
    const a = renderChat(view([msg(1, BOB, 'nice', 0)]));
    fireEvent.contextMenu(screen.getByText('nice'));
    fireEvent.click(screen.getByRole('menuitemcheckbox', { name: 'Love' }));
    expect(a.react).toHaveBeenCalledWith(msg(1, BOB, 'nice', 0).id, 'love');
  });

  it('replies with the quoted message', () => {
    const original = msg(1, BOB, 'question?', 0);
    const a = renderChat(view([original]));
    fireEvent.click(screen.getByRole('button', { name: 'Message options' }));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Reply' }));
    expect(screen.getByText('Replying to Bob Marley')).toBeTruthy();
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'answer' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(a.send).toHaveBeenCalledWith('answer', original.id, []);
  });
});
