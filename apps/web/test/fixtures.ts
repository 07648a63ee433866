import type { Message } from '@chat/protocol';
import type { PendingMessage } from '@chat/client';

export const ME = '00000000-0000-4000-8000-000000000001';
export const BOB = '00000000-0000-4000-8000-000000000002';
export const CAROL = '00000000-0000-4000-8000-000000000003';
export const CONVERSATION = '10000000-0000-4000-8000-000000000001';

export function uuid(n: number): string {
  return `20000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** A stored message; `at` is a Date or minutes after 2025-06-18 09:00 local time. */
export function msg(
  seq: number,
  sender: string,
  body: string,
  at: Date | number,
  extra: Partial<Message> = {},
): Message {
  const date = at instanceof Date ? at : new Date(2025, 5, 18, 9, at);
  return {
    id: uuid(seq),
    conversation_id: CONVERSATION,
    seq,
    updated_seq: seq,
    sender_id: sender,
    client_id: uuid(10_000 + seq),
    body,
    reply_to: null,
    created_at: date.toISOString(),
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

export function pending(
  n: number,
  body: string,
  at: number,
  state: PendingMessage['state'] = 'sending',
): PendingMessage {
  return {
    client_id: uuid(50_000 + n),
    conversation_id: CONVERSATION,
    body,
    reply_to: null,
    created_at: new Date(2025, 5, 18, 9, at).toISOString(),
    state,
  };
}
