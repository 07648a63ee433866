import { randomUUID } from 'node:crypto';
import type { JoinedMember, Message, ServerFrameOf } from '@chat/protocol';

export const CONVERSATION = '00000000-0000-4000-8000-000000000001';
export const ALICE = '00000000-0000-4000-8000-00000000000a';
export const BOB = '00000000-0000-4000-8000-00000000000b';

/** A message as the server sends it; `seq` doubles as id suffix unless an id is given. */
export function message(seq: number, patch: Partial<Message> = {}): Message {
  return {
    id: `00000000-0000-4000-9000-${String(seq).padStart(12, '0')}`,
    conversation_id: CONVERSATION,
    seq,
    updated_seq: seq,
    sender_id: BOB,
    client_id: randomUUID(),
    body: `message ${seq}`,
    reply_to: null,
    created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
    edited_at: null,
    deleted_at: null,
    reactions: {},
    kind: 'text',
    event: null,
    attachments: [],
    mentions: [],
    state: 'complete',
    ...patch,
  };
}

export function member(userId: string, readSeq = 0, online = false): JoinedMember {
  return {
    user_id: userId,
    display_name: userId === ALICE ? 'Alice' : 'Bob',
    read_seq: readSeq,
    role: 'member',
    is_agent: false,
    online,
  };
}

export function joinedFrame(
  messages: Message[],
  lastSeq: number,
  hasMore = false,
  members = [member(ALICE), member(BOB)],
): ServerFrameOf<'joined'> {
  return {
    type: 'joined',
    conversation_id: CONVERSATION,
    last_seq: lastSeq,
    members,
    messages,
    has_more: hasMore,
  };
}
