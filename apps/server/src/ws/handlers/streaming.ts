import type { ClientFrameOf } from '@chat/protocol';
import type { ServerContext } from '../../context';
import { ChatError } from '../../domain/chat-error';
import { checkBody, messageNotFound } from '../../domain/message-rules';
import { checkStreamStop, checkStreamWrite } from '../../domain/stream-rules';
import type { Connection } from '../connection';
import { takeFrameToken, takeStreamToken } from '../frame-rate-limits';
import { requireUser } from './membership';

/**
 * Section 14, `stream_message`: the whole text so far, from the connection that
 * sent the message. The registry relays it (throttled); nothing is stored.
 * Anyone else is refused as storage's facts say (`not_found`, `forbidden`,
 * `conflict`); the sender's other connections get `conflict`.
 */
export async function handleStreamMessage(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'stream_message'>,
): Promise<void> {
  const userId = requireUser(connection);
  takeStreamToken(ctx, connection);
  const owner = ctx.streams.ownerOf(frame.message_id);
  if (owner?.connectionId === connection.id && owner.senderId === userId) {
    const unstorable = checkBody(frame.body);
    if (unstorable) throw ChatError.from(unstorable);
    ctx.streams.update(frame.message_id, frame.body);
    ctx.agentStatus.end(owner.conversationId, userId);
    connection.ack(frame.ref);
    return;
  }
  const facts = await ctx.storage.streamFacts(frame.message_id, userId);
  const refusal = checkStreamWrite(facts, userId, frame.body);
  if (refusal) throw ChatError.from(refusal);
  throw new ChatError('conflict', 'the message is streamed by another connection');
}

/** Section 14, `end_stream`: the sender stores the final text (`message_updated`, change `completed`). */
export async function handleEndStream(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'end_stream'>,
): Promise<void> {
  const userId = requireUser(connection);
  const outcome = await ctx.streams.end({
    message_id: frame.message_id,
    user_id: userId,
    body: frame.body,
    state: frame.state ?? 'complete',
  });
  if (outcome.status === 'rejected') throw ChatError.from(outcome);
  ctx.agentStatus.end(outcome.message.conversation_id, userId);
  connection.ack(frame.ref);
}

/**
 * Section 14, `stop_stream`: any member, joined or not, from any process. The
 * sender's connections hear `stream_stop` through the sender's user topic, and
 * the process that owns the stream ends it `stopped` if the sender has not
 * within 5 s.
 */
export async function handleStopStream(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'stop_stream'>,
): Promise<void> {
  const userId = requireUser(connection);
  takeFrameToken(ctx, connection, userId, 'stop_stream');
  const facts = await ctx.storage.streamFacts(frame.message_id, userId);
  const refusal = checkStreamStop(facts);
  if (refusal || !facts) throw ChatError.from(refusal ?? messageNotFound());
  await ctx.publisher.streamStop(facts.sender_id, facts.conversation_id, frame.message_id, userId);
  connection.ack(frame.ref);
}
