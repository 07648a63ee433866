import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { AGENT_STATUS_TTL_MS, type Message } from '@chat/protocol';
import { ManualClock } from '@chat/testkit';
import { describe, expect, it } from 'vitest';
import type { BrokerEvent } from '../../src/broker/broker';
import { messageUpdatedEvent, newMessageEvent } from '../../src/realtime/change-events';
import { ConversationRoom } from '../../src/realtime/conversation-room';
import { agentStatusFrame, messageStreamFrame, serializeFrame } from '../../src/realtime/frames';
import { textMessage } from '../support/messages';
import { RecordingRecipient } from '../support/recording-recipient';

// Section 14 in the room: relays skip the streaming connection and are held for
// joiners until the stream's end is delivered; agent statuses are held for
// joiners and end by themselves when their process stops saying them.

const CONVERSATION = randomUUID();

class Connection extends RecordingRecipient {
  readonly id = randomUUID();
}

function setUp() {
  const clock = new ManualClock(0);
  const room = new ConversationRoom({
    conversationId: CONVERSATION,
    gapFillDelayMs: 250,
    clock,
    log: pino({ level: 'silent' }),
    changesSince: () => Promise.resolve([]),
  });
  room.start(0);
  const join = (userId: string = randomUUID()) => {
    const recipient = new Connection(userId);
    room.beginJoin(recipient);
    room.completeJoin(recipient, 0);
    return recipient;
  };
  return { clock, room, join };
}

function streaming(seq: number, senderId: string, overrides: Partial<Message> = {}): Message {
  return textMessage(seq, {
    conversation_id: CONVERSATION,
    sender_id: senderId,
    body: '',
    state: 'streaming',
    ...overrides,
  });
}

const relay = (message: Message, connectionId: string, body: string): BrokerEvent => ({
  kind: 'stream',
  messageId: message.id,
  connectionId,
  type: 'message_stream',
  frame: serializeFrame(messageStreamFrame(CONVERSATION, message.id, body)),
});

const status = (userId: string, value: 'thinking' | 'working' | 'idle'): BrokerEvent => ({
  kind: 'others',
  userId,
  type: 'agent_status',
  frame: serializeFrame(agentStatusFrame(CONVERSATION, userId, value, null)),
});

describe('ConversationRoom: streams and agent statuses (section 14)', () => {
  it('a relay goes to every joined connection but the streaming one', () => {
    const { room, join } = setUp();
    const agentId = randomUUID();
    const streamer = join(agentId);
    const agentsOther = join(agentId);
    const bob = join();
    const message = streaming(1, agentId);
    room.onEvent(relay(message, streamer.id, 'Hi'));
    expect(streamer.frames).toEqual([]);
    expect(agentsOther.frames.map((f) => f.type)).toEqual(['message_stream']);
    expect(bob.frames).toEqual([messageStreamFrame(CONVERSATION, message.id, 'Hi')]);
  });

  it('holds the latest relay of each message until a change shows its end', () => {
    const { room } = setUp();
    const agentId = randomUUID();
    const first = streaming(1, agentId);
    const second = streaming(2, agentId);
    room.onEvent(newMessageEvent(first));
    room.onEvent(newMessageEvent(second));
    room.onEvent(relay(first, 'c', 'a'));
    room.onEvent(relay(first, 'c', 'ab'));
    room.onEvent(relay(second, 'c', 'x'));
    expect(room.heldStreams.map((held) => JSON.parse(held.frame) as { body: string })).toMatchObject([
      { body: 'ab' },
      { body: 'x' },
    ]);
    room.onEvent(
      messageUpdatedEvent({ ...first, updated_seq: 3, state: 'complete', body: 'abc' }, 'completed'),
    );
    expect(room.heldStreams.map((held) => held.messageId)).toEqual([second.id]);
    room.onEvent(
      messageUpdatedEvent({ ...second, updated_seq: 4, deleted_at: new Date(0).toISOString() }, 'deleted'),
    );
    expect(room.heldStreams).toEqual([]);
  });

  it('lets a held relay go after 45 s without a newer one, even if its end never came (a late relay)', () => {
    const { clock, room } = setUp();
    const message = streaming(1, randomUUID());
    room.onEvent(relay(message, 'c', 'late'));
    clock.advance(45_000);
    expect(room.heldStreams).toHaveLength(1);
    clock.advance(1);
    expect(room.heldStreams).toEqual([]);
  });

  it('holds non-idle statuses for joiners; idle lets go', () => {
    const { room } = setUp();
    const agentId = randomUUID();
    room.onEvent(status(agentId, 'thinking'));
    room.onEvent(status(agentId, 'working'));
    expect(JSON.parse(room.agentStatusFrames.get(agentId) ?? '{}')).toMatchObject({ status: 'working' });
    room.onEvent(status(agentId, 'idle'));
    expect(room.agentStatusFrames.size).toBe(0);
  });

  it('a status not heard of for the ttl and 5 s (its process died) returns to idle here, announced', () => {
    const { clock, room, join } = setUp();
    const agentId = randomUUID();
    const bob = join();
    room.onEvent(status(agentId, 'thinking'));
    clock.advance(AGENT_STATUS_TTL_MS);
    room.onEvent(status(agentId, 'thinking'));
    clock.advance(AGENT_STATUS_TTL_MS + 4999);
    expect(bob.frames.map((f) => (f.type === 'agent_status' ? f.status : f.type))).toEqual([
      'thinking',
      'thinking',
    ]);
    clock.advance(1);
    expect(bob.frames.at(-1)).toEqual(agentStatusFrame(CONVERSATION, agentId, 'idle', null));
    expect(room.agentStatusFrames.size).toBe(0);
  });
});
