import type { ClientFrameOf } from '@chat/protocol';
import { conversationTopic } from '../../broker/broker';
import { ChatError } from '../../errors';
import { messageUpdatedEvent } from '../../realtime/change-frames';
import type { ChangeOutcome } from '../../storage/storage';
import type { Connection } from '../connection';
import type { ServerContext } from '../context';
import { requireUser } from './membership';

type ChangeFrame = ClientFrameOf<'edit_message' | 'delete_message' | 'react'>;

/** Edit, unsend and react: one storage transaction, then `message_updated` to the conversation. */
export async function handleMessageChange(
  ctx: ServerContext,
  connection: Connection,
  frame: ChangeFrame,
): Promise<void> {
  const userId = requireUser(connection);
  const outcome = await applyChange(ctx, userId, frame);
  if (outcome.status === 'rejected') throw new ChatError(outcome.code, outcome.message);
  if (outcome.status === 'changed') {
    await ctx.broker.publish(
      conversationTopic(outcome.message.conversation_id),
      messageUpdatedEvent(outcome.message, outcome.change),
    );
  }
  connection.ack(frame.ref);
}

function applyChange(ctx: ServerContext, userId: string, frame: ChangeFrame): Promise<ChangeOutcome> {
  const base = { message_id: frame.message_id, user_id: userId };
  switch (frame.type) {
    case 'edit_message':
      return ctx.storage.editMessage({ ...base, body: frame.body, now: new Date() });
    case 'delete_message':
      return ctx.storage.deleteMessage({ ...base, now: new Date() });
    case 'react':
      return ctx.storage.setReaction({ ...base, reaction: frame.reaction });
  }
}
