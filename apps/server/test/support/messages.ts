import { randomUUID } from 'node:crypto';
import type { Message } from '@chat/protocol';

/**
 * A stored message as the server sends it: a plain text message at `seq`,
 * never changed, with its id made from the seq unless `patch` gives one.
 */
export function textMessage(seq: number, patch: Partial<Message> = {}): Message {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    conversation_id: '00000000-0000-4000-9000-000000000001',
    seq,
    updated_seq: seq,
    sender_id: randomUUID(),
    client_id: randomUUID(),
    body: `m${seq}`,
    reply_to: null,
    created_at: new Date(0).toISOString(),
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
