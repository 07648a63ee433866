import type { Message, MessageChange } from '@chat/protocol';
import type { ChangeEvent } from '../broker/broker';
import type { StoredChange } from '../storage/storage';
import { messageFrame, messageUpdatedFrame, serializeFrame } from './frames';

/** The broadcast of a new message, serialised once for every recipient. */
export function newMessageEvent(message: Message): ChangeEvent {
  return {
    kind: 'change',
    seq: message.updated_seq,
    type: 'message',
    frame: serializeFrame(messageFrame(message)),
  };
}

export function messageUpdatedEvent(message: Message, change: MessageChange): ChangeEvent {
  return {
    kind: 'change',
    seq: message.updated_seq,
    type: 'message_updated',
    frame: serializeFrame(messageUpdatedFrame(message, change)),
  };
}

/** Rebuilds the event of a change read back from storage (filling a gap). */
export function storedChangeEvent({ message, change }: StoredChange): ChangeEvent {
  return change === 'created' ? newMessageEvent(message) : messageUpdatedEvent(message, change);
}
