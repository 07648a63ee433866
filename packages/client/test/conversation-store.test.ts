import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ConversationStore } from '../src/index';
import { ALICE, BOB, CONVERSATION, joinedFrame, member, message } from './support/messages';

let changes: number;
let store: ConversationStore;

beforeEach(() => {
  changes = 0;
  store = new ConversationStore({
    conversationId: CONVERSATION,
    typingExpireMs: 7_000,
    onChange: () => changes++,
  });
});

afterEach(() => {
  store.dispose();
  vi.useRealTimers();
});

const bodies = () => store.view.messages.map((item) => item.body);
const seqs = () => store.view.messages.map((item) => item.seq);

describe('messages: idempotent, order-tolerant', () => {
  test('the same message twice is stored once and the second changes nothing', () => {
    const first = message(1);
    store.applyMessage(first, true);
    const view = store.view;
    store.applyMessage({ ...first }, true);
    expect(store.view).toBe(view);
    expect(store.view.messages).toHaveLength(1);
    expect(changes).toBe(1);
  });

  test('messages arriving out of order are kept in seq order', () => {
    for (const seq of [3, 1, 2]) store.applyMessage(message(seq), true);
    expect(seqs()).toEqual([1, 2, 3]);
  });

  test('an older updated_seq never overwrites a newer one', () => {
    const original = message(1);
    const edited = { ...original, body: 'edited', updated_seq: 5, edited_at: '2025-01-01T00:01:00.000Z' };
    store.applyMessage(edited);
    store.applyMessage(original, true); // the original arrives late
    expect(bodies()).toEqual(['edited']);
    const deleted = { ...original, body: '', updated_seq: 7, deleted_at: '2025-01-01T00:02:00.000Z' };
    store.applyMessage(deleted);
    store.applyMessage(edited);
    expect(store.view.messages[0]).toEqual(deleted);
  });

  test('message_updated for an unknown id inserts it', () => {
    store.applyMessage(message(4, { updated_seq: 9, body: 'changed' }));
    expect(bodies()).toEqual(['changed']);
    expect(store.view.lastSeq).toBe(9);
  });

  test('messages of another conversation are ignored', () => {
    store.applyMessage(message(1, { conversation_id: '00000000-0000-4000-8000-0000000000ff' }));
    expect(store.view.messages).toHaveLength(0);
    expect(changes).toBe(0);
  });

  test('lastSeq is the highest updated_seq held, and only grows; so does the resume point', () => {
    store.applyJoined(joinedFrame([], 0), true);
    store.applyMessage(message(2));
    store.applyMessage(message(1, { updated_seq: 6 }));
    store.applyMessage(message(3));
    expect(store.view.lastSeq).toBe(6);
    expect(store.resumeSeq).toBe(6);
  });
});

describe('the resume point: only the joined stream moves it', () => {
  test('an ack that overtook an earlier message is held, but a resume still asks for what came before it', () => {
    store.applyJoined(joinedFrame([message(66), message(67)], 67), true);
    // Alice's send committed at 69 while Bob's 68 is still on its way through another process.
    store.applyAck(message(69, { sender_id: ALICE }));
    expect(seqs()).toEqual([66, 67, 69]);
    expect(store.view.lastSeq).toBe(69);
    expect(store.resumeSeq).toBe(67);
    store.applyMessage(message(68), true);
    store.applyMessage(message(69, { sender_id: ALICE }), true);
    expect(store.resumeSeq).toBe(69);
  });

  test('history pages and frames before any join hold messages but give no resume point', () => {
    store.applyMessage(message(5));
    store.prependOlder([message(3, { updated_seq: 9 })], false);
    expect(store.view.lastSeq).toBe(9);
    expect(store.resumeSeq).toBe(0);
    store.applyJoined(joinedFrame([message(5)], 7), false);
    expect(store.resumeSeq).toBe(7);
  });
});

describe('joined', () => {
  test('a fresh join replaces the window; has_more says whether older exists', () => {
    store.applyMessage(message(1));
    store.applyJoined(joinedFrame([message(40), message(41)], 41, true), true);
    expect(seqs()).toEqual([40, 41]);
    expect(store.view.hasMoreBefore).toBe(true);
    expect(store.view.joined).toBe(true);
    expect(store.view.lastSeq).toBe(41);
  });

  test('a resume merges what was missed, twice or not', () => {
    store.applyJoined(joinedFrame([message(1), message(2)], 2), true);
    const resume = joinedFrame([message(1, { updated_seq: 3, body: 'edited' }), message(4)], 4);
    store.applyJoined(resume, false);
    store.applyJoined(resume, false);
    expect(bodies()).toEqual(['edited', 'message 2', 'message 4']);
    expect(store.view.lastSeq).toBe(4);
  });

  test('last_seq counts even when the newest change is outside the window', () => {
    store.applyJoined(joinedFrame([message(50)], 57), true);
    expect(store.resumeSeq).toBe(57);
  });

  test('members come from joined, then read and presence move them', () => {
    store.applyJoined(joinedFrame([], 0, false, [member(ALICE, 0, true), member(BOB, 0, false)]), true);
    store.applyRead(BOB, 3);
    store.applyRead(BOB, 2); // read_seq only grows
    store.applyPresence(BOB, true);
    expect(store.view.members.find((item) => item.user_id === BOB)).toMatchObject({
      read_seq: 3,
      online: true,
    });
  });

  test('markNotJoined: not joined, typists cleared', () => {
    store.applyJoined(joinedFrame([], 0), true);
    store.applyTyping(BOB, true);
    store.markNotJoined();
    expect(store.view.joined).toBe(false);
    expect(store.view.typingUserIds).toEqual([]);
  });
});

describe('typing', () => {
  test('on and off', () => {
    store.applyTyping(BOB, true);
    expect(store.view.typingUserIds).toEqual([BOB]);
    store.applyTyping(BOB, false);
    expect(store.view.typingUserIds).toEqual([]);
  });

  test('a typist heard nothing from for 7 s is dropped (a lost is_typing:false)', () => {
    vi.useFakeTimers();
    store.applyTyping(BOB, true);
    vi.advanceTimersByTime(5_000);
    store.applyTyping(BOB, true); // a refresh restarts the clock
    vi.advanceTimersByTime(5_000);
    expect(store.view.typingUserIds).toEqual([BOB]);
    vi.advanceTimersByTime(2_001);
    expect(store.view.typingUserIds).toEqual([]);
  });

  test("a typist's new message ends their typing", () => {
    store.applyTyping(BOB, true);
    store.applyMessage(message(1, { sender_id: BOB }), true);
    expect(store.view.typingUserIds).toEqual([]);
  });
});

describe('stable snapshots', () => {
  test('the view keeps its identity until something changes', () => {
    const view = store.view;
    expect(store.view).toBe(view);
    store.applyRead(BOB, 1); // unknown member: nothing changes
    store.applyTyping(BOB, false); // was not typing
    expect(store.view).toBe(view);
    store.applyMessage(message(1));
    expect(store.view).not.toBe(view);
  });

  test('arrays that did not change keep their identity', () => {
    store.applyJoined(joinedFrame([message(1)], 1), true);
    const { messages, members } = store.view;
    store.applyTyping(BOB, true);
    expect(store.view.messages).toBe(messages);
    expect(store.view.members).toBe(members);
    store.applyMessage(message(2));
    expect(store.view.members).toBe(members);
    expect(store.view.messages).not.toBe(messages);
  });
});

describe('older history', () => {
  test('prepends, keeps order and sets hasMoreBefore', () => {
    store.applyJoined(joinedFrame([message(51), message(52)], 52, true), true);
    expect(store.lowestSeq).toBe(51);
    store.prependOlder([message(49), message(50), message(51)], false);
    expect(seqs()).toEqual([49, 50, 51, 52]);
    expect(store.view.hasMoreBefore).toBe(false);
  });
});
