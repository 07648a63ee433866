import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Message } from '@chat/protocol';
import { ManualClock } from '@chat/testkit';
import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/broker/broker';
import { messageUpdatedEvent, newMessageEvent } from '../../src/realtime/change-events';
import { ConversationRoom } from '../../src/realtime/conversation-room';
import { serializeFrame, typingFrame } from '../../src/realtime/frames';
import { textMessage } from '../support/messages';
import { RecordingRecipient } from '../support/recording-recipient';

const CONVERSATION = randomUUID();
const GAP_FILL_DELAY_MS = 250;

/** A message whose current state is `updated_seq` (its change is the one at that seq). */
function message(seq: number, updatedSeq = seq, body = `m${seq}`): Message {
  return textMessage(seq, {
    conversation_id: CONVERSATION,
    updated_seq: updatedSeq,
    body,
    edited_at: updatedSeq === seq ? null : new Date(0).toISOString(),
  });
}

const created = (seq: number) => newMessageEvent(message(seq));

/**
 * A room over a storage that holds `stored` (the current state of each message)
 * and counts its reads; time moves only by `clock.advance`.
 */
function setUp(stored: ChangeEvent[] = [], options: { typingExpiryMs?: number } = {}) {
  const clock = new ManualClock();
  const reads: number[] = [];
  let answer: (() => void) | null = null;
  let holdReads = false;
  const room = new ConversationRoom({
    conversationId: CONVERSATION,
    gapFillDelayMs: GAP_FILL_DELAY_MS,
    ...options,
    clock,
    log: pino({ level: 'silent' }),
    changesSince: (sinceSeq) => {
      reads.push(sinceSeq);
      const events = stored.filter((event) => event.seq > sinceSeq).sort((a, b) => a.seq - b.seq);
      if (!holdReads) return Promise.resolve(events);
      return new Promise((resolve) => (answer = () => resolve(events)));
    },
  });
  return {
    clock,
    room,
    reads,
    /** Storage answers only when `release()` is called. */
    holdStorage: () => (holdReads = true),
    release: () => answer?.(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function joined(room: ConversationRoom, userId: string = randomUUID(), snapshotSeq = 0): RecordingRecipient {
  const recipient = new RecordingRecipient(userId);
  room.beginJoin(recipient);
  room.completeJoin(recipient, snapshotSeq);
  return recipient;
}

describe('ConversationRoom', () => {
  it('delivers changes in seq order to every joined recipient', () => {
    const { room } = setUp();
    room.start(0);
    const ann = joined(room);
    const bob = joined(room);
    for (const seq of [1, 2, 3]) room.onEvent(created(seq));
    expect(ann.changeSeqs).toEqual([1, 2, 3]);
    expect(bob.changeSeqs).toEqual([1, 2, 3]);
  });

  it('holds back an early change until the gap closes by itself, reading nothing from storage', async () => {
    const { room, clock, reads } = setUp();
    room.start(0);
    const ann = joined(room);
    room.onEvent(created(1));
    room.onEvent(created(3));
    expect(ann.changeSeqs).toEqual([1]);
    room.onEvent(created(2));
    expect(ann.changeSeqs).toEqual([1, 2, 3]);
    clock.advance(GAP_FILL_DELAY_MS * 4);
    await settle();
    expect(reads).toEqual([]);
  });

  it('ignores a change it already delivered (a duplicate from the broker)', () => {
    const { room } = setUp();
    room.start(0);
    const ann = joined(room);
    room.onEvent(created(1));
    room.onEvent(created(1));
    expect(ann.changeSeqs).toEqual([1]);
  });

  it('fills a gap that does not close from storage, only after the delay, then releases what it held', async () => {
    const { room, clock, reads } = setUp([created(1), created(2), created(3)]);
    room.start(0);
    const ann = joined(room);
    room.onEvent(created(1));
    room.onEvent(created(3));
    clock.advance(GAP_FILL_DELAY_MS - 1);
    await settle();
    expect(reads).toEqual([]);
    expect(ann.changeSeqs).toEqual([1]);
    clock.advance(1);
    await settle();
    expect(reads).toEqual([1]);
    expect(ann.changeSeqs).toEqual([1, 2, 3]);
  });

  it('delivers a change superseded before the fill once, as its later state', async () => {
    // Message 1 was edited at seq 2, and that edit was lost: storage holds its state at 2.
    const edited = messageUpdatedEvent(message(1, 2, 'edited'), 'edited');
    const { room, clock } = setUp([edited, created(3)]);
    room.start(0);
    const ann = joined(room);
    room.onEvent(created(1));
    room.onEvent(created(3));
    clock.advance(GAP_FILL_DELAY_MS);
    await settle();
    expect(ann.changeSeqs).toEqual([1, 2, 3]);
    expect(ann.frames[1]).toMatchObject({ type: 'message_updated', message: { body: 'edited' } });
  });

  it('sends nothing to a recipient that left while a fill was reading storage', async () => {
    const { room, clock, holdStorage, release } = setUp([created(1), created(2), created(3)]);
    room.start(0);
    const ann = joined(room);
    const bob = joined(room);
    room.onEvent(created(1));
    room.onEvent(created(3));
    holdStorage();
    clock.advance(GAP_FILL_DELAY_MS);
    room.remove(ann);
    release();
    await settle();
    expect(ann.changeSeqs).toEqual([1]);
    expect(bob.changeSeqs).toEqual([1, 2, 3]);
  });

  it('a disposed room delivers nothing and schedules no more fills', async () => {
    const { room, clock, reads } = setUp([created(1), created(2)]);
    room.start(0);
    const ann = joined(room);
    room.onEvent(created(2));
    room.dispose();
    clock.advance(GAP_FILL_DELAY_MS * 10);
    await settle();
    expect(reads).toEqual([]);
    expect(ann.changeSeqs).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('gives a joining recipient exactly the changes past its snapshot, then live ones', () => {
    const { room } = setUp();
    room.start(0);
    const ann = new RecordingRecipient(randomUUID());
    room.beginJoin(ann);
    for (const seq of [1, 2, 3]) room.onEvent(created(seq));
    expect(ann.frames).toEqual([]);
    room.completeJoin(ann, 2);
    room.onEvent(created(4));
    expect(ann.changeSeqs).toEqual([3, 4]);
  });

  it('keeps changes that arrive before it knows where storage stands, and delivers them after start', () => {
    const { room } = setUp();
    const ann = new RecordingRecipient(randomUUID());
    room.beginJoin(ann);
    room.onEvent(created(5));
    room.onEvent(created(6));
    room.start(5);
    room.completeJoin(ann, 5);
    expect(ann.changeSeqs).toEqual([6]);
  });

  it('sends typing to everyone but the typist, and only to joined recipients', () => {
    const { room } = setUp();
    room.start(0);
    const ann = joined(room, 'ann');
    const bob = joined(room, 'bob');
    const joining = new RecordingRecipient('cat');
    room.beginJoin(joining);
    const frame = typingFrame(CONVERSATION, randomUUID(), true);
    room.onEvent({ kind: 'others', userId: 'ann', type: 'typing', frame: serializeFrame(frame) });
    expect(ann.frames).toEqual([]);
    expect(bob.frames).toEqual([{ ...frame }]);
    expect(joining.frames).toEqual([]);
  });

  it('catches up to storage at once when told its last_seq, though no later change reveals the gap', async () => {
    const { room, reads } = setUp([created(1), created(2), created(3)]);
    room.start(1);
    const ann = joined(room, 'ann', 1);
    room.catchUp(3);
    await settle();
    expect(reads).toEqual([1]);
    expect(ann.changeSeqs).toEqual([2, 3]);
    room.catchUp(3);
    await settle();
    expect(reads, 'nothing owed: storage is not read again').toEqual([1]);
  });

  it('a catch-up whose read fails is retried later, not lost', async () => {
    const stored = [created(1), created(2)];
    let failing = true;
    const clock = new ManualClock();
    const room = new ConversationRoom({
      conversationId: CONVERSATION,
      gapFillDelayMs: GAP_FILL_DELAY_MS,
      clock,
      log: pino({ level: 'silent' }),
      changesSince: (sinceSeq) =>
        failing
          ? Promise.reject(new Error('database away'))
          : Promise.resolve(stored.filter((event) => event.seq > sinceSeq)),
    });
    room.start(0);
    const ann = joined(room, 'ann', 0);
    room.catchUp(2);
    await settle();
    expect(ann.changeSeqs).toEqual([]);
    failing = false;
    clock.advance(GAP_FILL_DELAY_MS * 2);
    await settle();
    expect(ann.changeSeqs).toEqual([1, 2]);
  });

  const typing = (userId: string, isTyping: boolean) => ({
    kind: 'others' as const,
    userId,
    type: 'typing' as const,
    frame: serializeFrame(typingFrame(CONVERSATION, userId, isTyping)),
  });

  it('ends a remote typing that is not repeated within the expiry, announcing it once', () => {
    const { room, clock } = setUp([], { typingExpiryMs: 6000 });
    room.start(0);
    const ann = joined(room, 'ann');
    room.onEvent(typing('bob', true));
    clock.advance(5999);
    expect(ann.frames).toEqual([typingFrame(CONVERSATION, 'bob', true)]);
    clock.advance(1);
    expect(ann.frames).toEqual([
      typingFrame(CONVERSATION, 'bob', true),
      typingFrame(CONVERSATION, 'bob', false),
    ]);
    clock.advance(60_000);
    expect(ann.frames).toHaveLength(2);
  });

  it('a repeated typing only re-arms the expiry: recipients see one start, and the explicit stop', () => {
    const { room, clock } = setUp([], { typingExpiryMs: 6000 });
    room.start(0);
    const ann = joined(room, 'ann');
    room.onEvent(typing('bob', true));
    for (let i = 0; i < 5; i++) {
      clock.advance(2000);
      room.onEvent(typing('bob', true));
    }
    room.onEvent(typing('bob', false));
    clock.advance(60_000);
    expect(ann.frames).toEqual([
      typingFrame(CONVERSATION, 'bob', true),
      typingFrame(CONVERSATION, 'bob', false),
    ]);
  });

  it('knows who is typing from the events, on any process, until they stop or expire', () => {
    const { room, clock } = setUp([], { typingExpiryMs: 6000 });
    room.start(0);
    joined(room, 'ann');
    room.onEvent(typing('bob', true));
    room.onEvent(typing('cy', true));
    expect(room.typistIds.sort()).toEqual(['bob', 'cy']);
    room.onEvent(typing('bob', false));
    expect(room.typistIds).toEqual(['cy']);
    clock.advance(6000);
    expect(room.typistIds).toEqual([]);
  });
});
