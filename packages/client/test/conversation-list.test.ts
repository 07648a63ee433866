import { describe, expect, test } from 'vitest';
import type { Conversation } from '@chat/protocol';
import { ConversationList } from '../src/index';
import { ALICE, BOB, CONVERSATION, message } from './support/messages';

const OTHER = '00000000-0000-4000-8000-000000000002';

function conversation(id: string, patch: Partial<Conversation> = {}): Conversation {
  return {
    id,
    title: null,
    is_group: false,
    members: [
      { user_id: ALICE, display_name: 'Alice', read_seq: 0, role: 'member', is_agent: false },
      { user_id: BOB, display_name: 'Bob', read_seq: 0, role: 'member', is_agent: false },
    ],
    last_message: null,
    last_seq: 0,
    unread_count: 0,
    created_at: '2024-12-31T00:00:00.000Z',
    settings: { muted_until: null, archived: false, pinned: false },
    unread_mentions: 0,
    ...patch,
  };
}

function makeList() {
  let changes = 0;
  const list = new ConversationList(() => changes++);
  return { list, changes: () => changes };
}

describe('ConversationList', () => {
  test('newest activity first; a conversation without messages by created_at', () => {
    const { list } = makeList();
    list.replaceAll([
      conversation(CONVERSATION, { created_at: '2024-01-01T00:00:00.000Z' }),
      conversation(OTHER, { created_at: '2024-06-01T00:00:00.000Z' }),
    ]);
    expect(list.conversations.map((item) => item.id)).toEqual([OTHER, CONVERSATION]);
    list.applyMessage(message(1), ALICE); // 2025: moves to the top
    expect(list.conversations.map((item) => item.id)).toEqual([CONVERSATION, OTHER]);
  });

  test("other members' messages count as unread once each; the user's own never", () => {
    const { list } = makeList();
    list.replaceAll([conversation(CONVERSATION)]);
    list.applyMessage(message(1, { sender_id: BOB }), ALICE);
    list.applyMessage(message(1, { sender_id: BOB }), ALICE);
    list.applyMessage(message(2, { sender_id: ALICE }), ALICE);
    list.applyMessage(message(3, { sender_id: BOB }), ALICE);
    const entry = list.get(CONVERSATION)!;
    expect(entry.unread_count).toBe(2);
    expect(entry.last_message?.seq).toBe(3);
    expect(entry.last_seq).toBe(3);
  });

  test("the user's own read recounts; another member's read only moves their read_seq", () => {
    const { list } = makeList();
    list.replaceAll([conversation(CONVERSATION)]);
    for (const seq of [1, 2, 3]) list.applyMessage(message(seq), ALICE);
    list.applyRead(CONVERSATION, BOB, 3, ALICE);
    expect(list.get(CONVERSATION)!.unread_count).toBe(3);
    list.applyRead(CONVERSATION, ALICE, 3, ALICE);
    expect(list.get(CONVERSATION)!.unread_count).toBe(0);
    expect(list.get(CONVERSATION)!.members.map((item) => item.read_seq)).toEqual([3, 3]);
  });

  test('unsending an unread message uncounts it; editing the last message refreshes it', () => {
    const { list } = makeList();
    list.replaceAll([conversation(CONVERSATION)]);
    const first = message(1);
    list.applyMessage(first, ALICE);
    list.applyMessage(message(2), ALICE);
    const edited = { ...message(2), body: 'edited', updated_seq: 3 };
    list.applyUpdate(edited, 'edited', ALICE, message(2));
    expect(list.get(CONVERSATION)!.last_message?.body).toBe('edited');
    const deleted = { ...first, body: '', updated_seq: 4, deleted_at: '2025-01-01T00:05:00.000Z' };
    list.applyUpdate(deleted, 'deleted', ALICE, first);
    list.applyUpdate(deleted, 'deleted', ALICE, deleted); // twice: counted once
    expect(list.get(CONVERSATION)!.unread_count).toBe(1);
    expect(list.get(CONVERSATION)!.last_seq).toBe(4);
  });

  test('the array keeps its identity until something changes', () => {
    const { list, changes } = makeList();
    list.replaceAll([conversation(CONVERSATION)]);
    const before = list.conversations;
    const counted = changes();
    list.applyMessage(message(1, { conversation_id: OTHER }), ALICE); // not listed
    list.applyRead(CONVERSATION, BOB, 0, ALICE); // nothing new
    expect(list.conversations).toBe(before);
    expect(changes()).toBe(counted);
    list.upsert(conversation(OTHER));
    expect(list.conversations).not.toBe(before);
    expect(list.conversations).toHaveLength(2);
  });

  test('system messages move last_message but never count as unread; mentions of the user count apart', () => {
    const { list } = makeList();
    list.replaceAll([conversation(CONVERSATION)]);
    list.applyMessage(
      message(1, { kind: 'system', client_id: null, body: '', event: { type: 'renamed', title: 'Trip' } }),
      ALICE,
    );
    expect(list.get(CONVERSATION)).toMatchObject({ unread_count: 0, unread_mentions: 0, last_seq: 1 });
    list.applyMessage(message(2, { mentions: [ALICE] }), ALICE);
    list.applyMessage(message(3, { mentions: [BOB] }), ALICE);
    expect(list.get(CONVERSATION)).toMatchObject({ unread_count: 2, unread_mentions: 1 });
    list.applyUpdate(
      {
        ...message(2, { mentions: [ALICE] }),
        body: '',
        updated_seq: 4,
        deleted_at: '2025-01-01T00:09:00.000Z',
      },
      'deleted',
      ALICE,
    );
    expect(list.get(CONVERSATION)).toMatchObject({ unread_count: 1, unread_mentions: 0 });
    list.applyRead(CONVERSATION, ALICE, 3, ALICE);
    expect(list.get(CONVERSATION)).toMatchObject({ unread_count: 0, unread_mentions: 0 });
  });

  test('pinned first, in the order pinned (newest pin first); the rest by activity; removal drops', () => {
    const { list } = makeList();
    const [one, two, three] = [1, 2, 3].map((n) => `00000000-0000-4000-8000-00000000010${n}`) as [
      string,
      string,
      string,
    ];
    const at = (day: number) => `2024-0${day}-01T00:00:00.000Z`;
    list.replaceAll([
      conversation(one, { created_at: at(1) }),
      conversation(two, { created_at: at(2) }),
      conversation(three, { created_at: at(3) }),
    ]);
    expect(list.conversations.map((c) => c.id)).toEqual([three, two, one]);
    const pinned = { muted_until: null, archived: false, pinned: true };
    list.upsert(conversation(one, { created_at: at(1), settings: pinned }));
    list.upsert(conversation(two, { created_at: at(2), settings: pinned }));
    expect(list.conversations.map((c) => c.id)).toEqual([two, one, three]);
    // A change to a pinned one (a rename) keeps its place.
    list.upsert(conversation(one, { created_at: at(1), settings: pinned, title: 'Trip' }));
    expect(list.conversations.map((c) => c.id)).toEqual([two, one, three]);
    list.remove(two);
    expect(list.conversations.map((c) => c.id)).toEqual([one, three]);
  });

  test('an entry older than the messages held keeps the newer message and counts', () => {
    const { list } = makeList();
    list.replaceAll([conversation(CONVERSATION)]);
    list.applyMessage(message(1), ALICE);
    list.upsert(conversation(CONVERSATION, { title: 'Trip' }));
    expect(list.get(CONVERSATION)).toMatchObject({ title: 'Trip', last_seq: 1, unread_count: 1 });
  });
});
