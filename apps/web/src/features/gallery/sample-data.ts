import type { Conversation, JoinedMember, Message } from '@chat/protocol';
import type { ConversationView, PendingMessage } from '@chat/client';

/** Sample people and messages for the dev gallery (`?gallery`). Ids are fixed fake UUIDs. */
export const ME = {
  id: '00000000-0000-4000-8000-000000000001',
  display_name: 'Ada Lovelace',
  email: 'ada@example.com',
  is_agent: false,
};
/** The v2 member fields every sample person shares. */
const PERSON = { role: 'member', is_agent: false } as const;
const SETTINGS = { muted_until: null, archived: false, pinned: false };
const BOB = '00000000-0000-4000-8000-000000000002';
const CAROL = '00000000-0000-4000-8000-000000000003';
const DAN = '00000000-0000-4000-8000-000000000004';
const DIRECT = '10000000-0000-4000-8000-000000000001';
const GROUP = '10000000-0000-4000-8000-000000000002';

const MINUTE = 60_000;

function id(n: number): string {
  return `20000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function message(
  n: number,
  conversation: string,
  sender: string,
  body: string,
  at: number,
  extra: Partial<Message> = {},
): Message {
  return {
    id: id(n),
    conversation_id: conversation,
    seq: n,
    updated_seq: n,
    sender_id: sender,
    client_id: id(1000 + n),
    body,
    reply_to: null,
    created_at: new Date(at).toISOString(),
    edited_at: null,
    deleted_at: null,
    reactions: {},
    kind: 'text',
    event: null,
    attachments: [],
    mentions: [],
    state: 'complete',
    ...extra,
  };
}

export function directMessages(now: number): Message[] {
  const yesterday = now - 26 * 60 * MINUTE;
  return [
    message(1, DIRECT, BOB, 'Hey! Are we still on for tomorrow?', yesterday),
    message(2, DIRECT, ME.id, 'Yes! 10am at the usual place ☕️', yesterday + MINUTE),
    message(3, DIRECT, BOB, 'Perfect', yesterday + 2 * MINUTE, { reactions: { love: [ME.id] } }),
    message(4, DIRECT, BOB, 'Running 5 min late, sorry!', now - 40 * MINUTE),
    message(5, DIRECT, ME.id, 'No worries', now - 39 * MINUTE),
    message(
      6,
      DIRECT,
      ME.id,
      'Did you see this? https://example.com/articles/imessage-on-the-web?ref=chat',
      now - 38 * MINUTE,
      {
        reactions: { laugh: [BOB], like: [BOB, CAROL] },
      },
    ),
    message(7, DIRECT, BOB, '<img src=x onerror=alert(1)> shows as text, not HTML', now - 12 * MINUTE),
    message(8, DIRECT, BOB, 'Ha, that one is great', now - 11 * MINUTE, { reply_to: id(6) }),
    message(9, DIRECT, ME.id, 'Oops, wrong chat', now - 10 * MINUTE, {
      body: '',
      deleted_at: new Date(now - 9 * MINUTE).toISOString(),
    }),
    message(10, DIRECT, BOB, '👍', now - 8 * MINUTE),
    message(
      11,
      DIRECT,
      ME.id,
      'See you there.\nI will bring the notes (the long version).',
      now - 3 * MINUTE,
      { edited_at: new Date(now - 2 * MINUTE).toISOString() },
    ),
    message(12, DIRECT, ME.id, 'Last thing: the slides are ready', now - MINUTE),
  ];
}

export function directPending(now: number): PendingMessage[] {
  return [
    {
      client_id: id(5001),
      conversation_id: DIRECT,
      body: 'Sending this one…',
      reply_to: null,
      created_at: new Date(now - 20_000).toISOString(),
      state: 'sending',
    },
    {
      client_id: id(5002),
      conversation_id: DIRECT,
      body: 'And this one failed',
      reply_to: null,
      created_at: new Date(now - 10_000).toISOString(),
      state: 'failed',
      error: { code: 'rate_limited', message: 'Too many messages' },
    },
  ];
}

export function directMembers(readSeq: number): JoinedMember[] {
  return [
    { user_id: ME.id, display_name: ME.display_name, read_seq: 12, online: true, ...PERSON },
    { user_id: BOB, display_name: 'Bob Marley', read_seq: readSeq, online: true, ...PERSON },
  ];
}

export function groupMessages(now: number): Message[] {
  const start = now - 3 * 24 * 60 * MINUTE;
  return [
    message(101, GROUP, CAROL, 'Who is in for the hike on Saturday?', start),
    message(102, GROUP, DAN, 'Me!', start + MINUTE),
    message(103, GROUP, DAN, 'Can I bring my dog?', start + 2 * MINUTE, {
      reactions: { love: [CAROL, ME.id] },
    }),
    message(104, GROUP, ME.id, 'Of course 🐶', start + 3 * MINUTE),
    message(105, GROUP, CAROL, 'Meeting point: trailhead parking, 8am', now - 5 * MINUTE, {
      reactions: { emphasize: [ME.id], question: [DAN] },
    }),
    message(106, GROUP, CAROL, 'Bring water and snacks', now - 4 * MINUTE),
  ];
}

export function groupMembers(): JoinedMember[] {
  return [
    { user_id: ME.id, display_name: ME.display_name, read_seq: 106, online: true, ...PERSON },
    { user_id: CAROL, display_name: 'Carol Danvers', read_seq: 106, online: true, ...PERSON },
    { user_id: DAN, display_name: 'Dan Brown', read_seq: 104, online: false, ...PERSON },
  ];
}

export function view(
  conversationId: string,
  messages: Message[],
  members: JoinedMember[],
  extra: Partial<ConversationView> = {},
): ConversationView {
  return {
    conversationId,
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
    ...extra,
  };
}

export const IDS = { DIRECT, GROUP, BOB, CAROL, DAN };

export function conversations(now: number): Conversation[] {
  const direct = directMessages(now);
  const group = groupMessages(now);
  return [
    {
      id: DIRECT,
      title: null,
      is_group: false,
      members: directMembers(10).map(({ online: _online, ...m }) => m),
      last_message: direct.at(-1) ?? null,
      last_seq: 12,
      unread_count: 0,
      unread_mentions: 0,
      settings: SETTINGS,
      created_at: new Date(now - 30 * 24 * 60 * MINUTE).toISOString(),
    },
    {
      id: GROUP,
      title: null,
      is_group: true,
      members: groupMembers().map(({ online: _online, ...m }) => m),
      last_message: group.at(-1) ?? null,
      last_seq: 106,
      unread_count: 2,
      unread_mentions: 0,
      settings: SETTINGS,
      created_at: new Date(now - 30 * 24 * 60 * MINUTE).toISOString(),
    },
    {
      id: '10000000-0000-4000-8000-000000000003',
      title: 'Book club 📚',
      is_group: true,
      members: [
        { user_id: ME.id, display_name: ME.display_name, read_seq: 40, ...PERSON },
        { user_id: CAROL, display_name: 'Carol Danvers', read_seq: 40, ...PERSON },
        { user_id: DAN, display_name: 'Dan Brown', read_seq: 40, ...PERSON },
      ],
      last_message: message(40, '10000000-0000-4000-8000-000000000003', DAN, '', now - 4 * 24 * 60 * MINUTE, {
        deleted_at: new Date(now - 4 * 24 * 60 * MINUTE).toISOString(),
      }),
      last_seq: 41,
      unread_count: 0,
      unread_mentions: 0,
      settings: SETTINGS,
      created_at: new Date(now - 60 * 24 * 60 * MINUTE).toISOString(),
    },
    {
      id: '10000000-0000-4000-8000-000000000004',
      title: null,
      is_group: false,
      members: [
        { user_id: ME.id, display_name: ME.display_name, read_seq: 3, ...PERSON },
        { user_id: DAN, display_name: 'Dan Brown', read_seq: 3, ...PERSON },
      ],
      last_message: message(
        3,
        '10000000-0000-4000-8000-000000000004',
        ME.id,
        'Thanks for the book recommendation, I finished it over the weekend and loved it!',
        now - 20 * 24 * 60 * MINUTE,
      ),
      last_seq: 3,
      unread_count: 0,
      unread_mentions: 0,
      settings: SETTINGS,
      created_at: new Date(now - 60 * 24 * 60 * MINUTE).toISOString(),
    },
  ];
}
