import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { JoinedMember, Message } from '@chat/protocol';
import type { ConversationView } from '@chat/client';
import { ChatView } from '../src/components/chat/chat-view';
import type { ChatActions } from '../src/components/chat/chat-actions';
import { BOB, CAROL, CONVERSATION, ME, msg } from './fixtures';

afterEach(cleanup);

const BOT = CAROL;

function members(): JoinedMember[] {
  const member = (user_id: string, display_name: string, is_agent = false): JoinedMember => ({
    user_id,
    display_name,
    read_seq: 0,
    online: true,
    role: 'member',
    is_agent,
  });
  return [member(ME, 'Ada Lovelace'), member(BOB, 'Bob Marley'), member(BOT, 'Assistant', true)];
}

function view(messages: Message[], extra: Partial<ConversationView> = {}): ConversationView {
  return {
    conversationId: CONVERSATION,
    joined: true,
    messages,
    pending: [],
    members: members(),
    typingUserIds: [],
    lastSeq: messages.at(-1)?.updated_seq ?? 0,
    hasMoreBefore: false,
    error: null,
    streams: {},
    agentStatuses: [],
    ...extra,
  };
}

function actions(
  stop: (messageId: string) => Promise<unknown> = vi.fn(() => Promise.resolve()),
): ChatActions {
  return {
    send: vi.fn(),
    typing: vi.fn(),
    markRead: vi.fn(),
    edit: vi.fn(),
    unsend: vi.fn(),
    react: vi.fn(),
    retry: vi.fn(),
    loadOlder: vi.fn(),
    stop,
  };
}

function chat(v: ConversationView, a = actions()) {
  const props = {
    me: { id: ME, display_name: 'Ada Lovelace' },
    title: 'Bob, Assistant',
    isGroup: true,
    status: 'open' as const,
    actions: a,
    loadingOlder: false,
    now: new Date(2025, 5, 18, 12, 0),
  };
  const result = render(<ChatView view={v} {...props} />);
  return { a, rerender: (next: ConversationView) => result.rerender(<ChatView view={next} {...props} />) };
}

const streaming = (body = '') => msg(2, BOT, body, 1, { state: 'streaming' });

describe('streaming answers (section 14)', () => {
  it('shows the newest relayed text while streaming, the stored body until one arrives', () => {
    const { rerender } = chat(view([msg(1, ME, 'Explain tides', 0), streaming('The')]));
    const log = screen.getByRole('log');
    expect(within(log).getByText('The')).toBeTruthy();
    rerender(
      view([msg(1, ME, 'Explain tides', 0), streaming('The')], {
        streams: { [streaming().id]: 'The moon pulls' },
      }),
    );
    expect(within(log).getByText('The moon pulls')).toBeTruthy();
    expect(within(log).queryByText('The')).toBeNull();
    // The row waits to be read until it is complete.
    expect(
      within(log).getByText('The moon pulls').closest('[role="article"]')?.getAttribute('aria-busy'),
    ).toBe('true');
  });

  it('does not blow up an answer that starts with an emoji while it streams (no jump at the next word)', () => {
    chat(view([streaming('🌊')]));
    expect(screen.getByText('🌊').closest('.bubble')?.classList.contains('bubble--jumbo')).toBe(false);
  });

  it('shows typing dots while a streaming answer is still empty', () => {
    chat(view([streaming('')]));
    const bubble = screen.getByText('Writing…').closest('.bubble');
    expect(bubble?.querySelectorAll('.typing-bubble__dot')).toHaveLength(3);
  });

  it('"Stop generating" calls stop once and says "Stopping…" after the press', async () => {
    const stop = vi.fn(() => Promise.resolve());
    chat(view([streaming('Once upon')]), actions(stop));
    const button = screen.getByRole('button', { name: 'Stop generating' });
    await act(async () => {
      fireEvent.click(button);
      await Promise.resolve();
    });
    expect(stop).toHaveBeenCalledWith(streaming().id);
    const pressed = screen.getByRole('button', { name: 'Stopping…' });
    expect(pressed.getAttribute('aria-disabled')).toBe('true');
    fireEvent.click(pressed);
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('gives the button back when the stop is refused', async () => {
    const stop = vi.fn(() => Promise.reject(new Error('conflict')));
    chat(view([streaming('Once upon')]), actions(stop));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Stop generating' }));
      await Promise.resolve();
    });
    expect(screen.getByRole('button', { name: 'Stop generating' }).getAttribute('aria-disabled')).toBe(
      'false',
    );
  });

  it('says "Stopped" and "Interrupted" under ended answers, with their partial text', () => {
    chat(
      view([
        msg(1, BOT, 'Half an answ', 0, { state: 'stopped' }),
        msg(2, BOT, 'Cut off mid', 1, { state: 'interrupted' }),
        msg(3, BOT, 'All done.', 2),
      ]),
    );
    expect(screen.getByText('Half an answ')).toBeTruthy();
    expect(screen.getByText('Stopped')).toBeTruthy();
    expect(screen.getByText('Cut off mid')).toBeTruthy();
    expect(screen.getByText('Interrupted')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Stop generating' })).toBeNull();
  });

  it('shows agent statuses like the typing bubble, with the name and the detail', () => {
    chat(
      view([msg(1, ME, 'hi', 0)], {
        agentStatuses: [{ user_id: BOT, status: 'thinking', detail: null }],
      }),
    );
    expect(within(screen.getByRole('log')).getByText('Assistant is thinking…')).toBeTruthy();
    cleanup();
    chat(
      view([msg(1, ME, 'hi', 0)], {
        agentStatuses: [{ user_id: BOT, status: 'working', detail: 'searching the docs' }],
      }),
    );
    expect(within(screen.getByRole('log')).getByText('Assistant: searching the docs')).toBeTruthy();
  });

  it('badges an agent sender: the name shown carries "AI", the message says "AI agent"', () => {
    chat(view([msg(1, BOB, 'from a person', 0), msg(2, BOT, 'from a bot', 5)]));
    const bot = screen.getByRole('article', { name: /Assistant \(AI agent\): from a bot/u });
    expect(within(bot).getByText('AI')).toBeTruthy();
    const person = screen.getByRole('article', { name: /Bob Marley: from a person/u });
    expect(within(person).queryByText('AI')).toBeNull();
  });

  it('keeps the log pinned to the bottom while text grows, only for a reader at the bottom', () => {
    const base = [msg(1, ME, 'Explain tides', 0), streaming('')];
    const { rerender } = chat(view(base));
    const log = screen.getByRole('log');
    // happy-dom has no layout: give the scroller a size and a content height to reason with.
    let contentHeight = 1000;
    Object.defineProperty(log, 'clientHeight', { configurable: true, get: () => 400 });
    Object.defineProperty(log, 'scrollHeight', { configurable: true, get: () => contentHeight });
    log.scrollTop = 600;
    fireEvent.scroll(log);

    contentHeight = 1100;
    rerender(view(base, { streams: { [streaming().id]: 'The moon' } }));
    expect(log.scrollTop).toBe(1100);

    // Scrolled up to read: growth below leaves the reader where they are.
    log.scrollTop = 200;
    fireEvent.scroll(log);
    contentHeight = 1200;
    rerender(view(base, { streams: { [streaming().id]: 'The moon pulls the sea' } }));
    expect(log.scrollTop).toBe(200);
  });
});
