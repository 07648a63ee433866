import type { ClientFrameOf } from '@chat/protocol';
import type { ServerContext } from '../../context';
import { ChatError } from '../../domain/chat-error';
import type { ChangeOutcome } from '../../storage/storage';
import type { Connection } from '../connection';
import { takeFrameToken } from '../frame-rate-limits';
import { requireUser } from './membership';

type ChangeFrame = ClientFrameOf<'edit_message' | 'delete_message' | 'react'>;

/** Edit, unsend and react: one storage transaction, then `message_updated` to the conversation. */
export async function handleMessageChange(
  ctx: ServerContext,
  connection: Connection,
  frame: ChangeFrame,
): Promise<void> {
  const userId = requireUser(connection);
  takeFrameToken(ctx, connection, userId, frame.type);
  const outcome = await applyChange(ctx, userId, frame);
  if (outcome.status === 'rejected') throw ChatError.from(outcome);
  if (outcome.status === 'changed') await ctx.publisher.messageUpdated(outcome.message, outcome.change);
  // Section 11: an unsent message's attachments are gone before the unsend is acknowledged.
  if (outcome.status === 'changed' && outcome.change === 'deleted') {
    await ctx.attachments.releaseMessage(outcome.message.id);
  }
  connection.ack(frame.ref);
}

function applyChange(ctx: ServerContext, userId: string, frame: ChangeFrame): Promise<ChangeOutcome> {
  const base = { message_id: frame.message_id, user_id: userId };
  const now = new Date(ctx.clock.now());
  switch (frame.type) {
    case 'edit_message':
      return ctx.storage.editMessage({ ...base, body: frame.body, now });
    case 'delete_message':
      return ctx.storage.deleteMessage({ ...base, now });
    case 'react':
      return ctx.storage.setReaction({ ...base, reaction: frame.reaction });
  }
}
