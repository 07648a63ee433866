import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { Conversation } from '@chat/protocol';
import { ChatApi } from '@chat/client';
import { conversationOf, conversationPath, parsePushPayload } from '../src/sw/push-payload';
import { notificationText, shouldNotify } from '../src/features/notifications/use-message-notifications';
import { NotificationsControl } from '../src/features/notifications/notifications-control';
import { BOB, CAROL, CONVERSATION, ME, msg } from './fixtures';

afterEach(cleanup);

const now = Date.parse('2025-06-18T12:00:00Z');

function conversation(extra: Partial<Conversation> = {}): Conversation {
  return {
    id: CONVERSATION,
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
    created_at: new Date(now).toISOString(),
    ...extra,
  };
}

describe('the push payload (section 13)', () => {
  it('reads the server JSON; anything else is null', () => {
    const json = JSON.stringify({ conversation_id: CONVERSATION, message_id: 'm', title: 'Bob', body: 'Hi' });
    expect(parsePushPayload(json)).toEqual({
      conversation_id: CONVERSATION,
      message_id: 'm',
      title: 'Bob',
      body: 'Hi',
    });
    expect(
      parsePushPayload(JSON.stringify({ conversation_id: CONVERSATION, title: '', body: '' })),
    ).toMatchObject({
      title: 'New message',
      body: '',
    });
    expect(parsePushPayload('not json')).toBeNull();
    expect(parsePushPayload(JSON.stringify({ title: 'x' }))).toBeNull();
    expect(parsePushPayload(null)).toBeNull();
  });

  it('a click opens the conversation route; unknown data opens the app', () => {
    expect(conversationOf({ conversation_id: CONVERSATION })).toBe(CONVERSATION);
    expect(conversationOf(null)).toBeNull();
    expect(conversationPath(CONVERSATION)).toBe(`/#/c/${CONVERSATION}`);
    expect(conversationPath('../evil')).toBe('/');
    expect(conversationPath(null)).toBe('/');
  });
});

describe('what a hidden page notifies', () => {
  it('title = the conversation, body = the text; in a group the sender first', () => {
    expect(notificationText(conversation(), msg(1, BOB, 'Lunch?', 1), ME)).toEqual({
      title: 'Bob Marley',
      body: 'Lunch?',
    });
    const group = conversation({
      is_group: true,
      title: 'Trip',
      members: [
        ...conversation().members,
        { user_id: CAROL, display_name: 'Carol King', read_seq: 0, role: 'member', is_agent: false },
      ],
    });
    expect(notificationText(group, msg(2, CAROL, 'Train at 9', 1), ME)).toEqual({
      title: 'Trip',
      body: 'Carol King: Train at 9',
    });
    expect(notificationText(conversation(), msg(3, BOB, 'x'.repeat(300), 1), ME).body).toHaveLength(200);
    expect(notificationText(conversation(), msg(4, BOB, '', 1, { state: 'streaming' }), ME).body).toBe(
      'Writing…',
    );
  });

  it('a muted conversation stays quiet unless the message mentions me', () => {
    const muted = conversation({
      settings: { muted_until: '9999-12-31T00:00:00.000Z', archived: false, pinned: false },
    });
    expect(shouldNotify(conversation(), msg(1, BOB, 'hi', 1), ME, now)).toBe(true);
    expect(shouldNotify(muted, msg(1, BOB, 'hi', 1), ME, now)).toBe(false);
    expect(shouldNotify(muted, msg(1, BOB, '@Ada hi', 1, { mentions: [ME] }), ME, now)).toBe(true);
  });
});

describe('"Turn on notifications"', () => {
  it('asks for permission only when clicked', async () => {
    let asked = 0;
    let permission: NotificationPermission = 'default';
    const original = globalThis.Notification;
    Object.defineProperty(globalThis, 'Notification', {
      configurable: true,
      value: {
        get permission() {
          return permission;
        },
        requestPermission: () => {
          asked++;
          permission = 'granted';
          return Promise.resolve(permission);
        },
      },
    });
    try {
      const api = new ChatApi({ baseUrl: 'http://127.0.0.1:9', getToken: () => Promise.resolve(null) });
      render(<NotificationsControl api={api} userId={`${ME}-test`} />);
      expect(asked).toBe(0);
      fireEvent.click(screen.getByRole('button', { name: 'Turn on notifications' }));
      expect(await screen.findByText('Notifications are on')).toBeTruthy();
      expect(asked).toBe(1);
      expect(screen.getByRole('switch', { name: 'Notifications' }).getAttribute('aria-checked')).toBe('true');
    } finally {
      Object.defineProperty(globalThis, 'Notification', { configurable: true, value: original });
    }
  });
});
