import type { ClientFrameOf } from '@chat/protocol';
import type { ServerContext } from '../../context';
import { messageAckFrame } from '../../realtime/frames';
import type { AppendOutcome } from '../../storage/storage';
import type { Connection } from '../connection';
import { endOwnedOnClose } from './connection-cleanup';
import { requireUser } from './membership';

/**
 * Rate-limited, then queued for the next group commit. The handler does not
 * wait for the commit: the connection's next frames are handled meanwhile, so a
 * client that pipelines its sends gets them into one batch.
 */
export function handleSendMessage(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'send_message'>,
): void {
  const senderId = requireUser(connection);
  const waitMs = connection.takeSendToken();
  if (waitMs > 0) {
    connection.sendError(
      { code: 'rate_limited', message: 'sending too fast', retryAfterMs: waitMs },
      { ref: frame.ref, clientId: frame.client_id },
    );
    connection.recordRefusal();
    return;
  }
  const receivedAt = performance.now();
  void ctx.sendQueue
    .enqueue({
      conversation_id: frame.conversation_id,
      sender_id: senderId,
      client_id: frame.client_id,
      body: frame.body,
      reply_to: frame.reply_to ?? null,
      mentions: frame.mentions ?? [],
      attachment_ids: frame.attachment_ids ?? [],
      streaming: frame.streaming === true,
    })
    .then((outcome) => answer(ctx, connection, frame, outcome, receivedAt));
}

/** The ack goes out only now, after the commit; then the message goes to the conversation. */
function answer(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'send_message'>,
  outcome: AppendOutcome,
  receivedAt: number,
): void {
  if (outcome.status === 'rejected') {
    connection.sendError(outcome, { ref: frame.ref, clientId: frame.client_id });
    return;
  }
  // Section 14: the stream is this connection's before the client can stream into it.
  if (outcome.message.state === 'streaming') {
    if (outcome.status === 'created') ctx.streams.open(outcome.message, connection.id);
    else ctx.streams.transfer(outcome.message.id, connection.id);
    endOwnedOnClose(ctx, connection);
  }
  connection.send(messageAckFrame(frame.ref, frame.client_id, outcome.message));
  ctx.metrics.ackLatency.observe((performance.now() - receivedAt) / 1000);
  if (outcome.status === 'duplicate') return;
  ctx.metrics.messagesPersisted.inc();
  void ctx.publisher.messageCreated(outcome.message);
  ctx.notifications.messageStored(outcome.message, outcome.audience?.push);
  ctx.webhooks.messageFinished(outcome.message, outcome.audience?.webhookAgentIds);
  ctx.typing.end(outcome.message.conversation_id, outcome.message.sender_id);
  ctx.agentStatus.end(outcome.message.conversation_id, outcome.message.sender_id);
}
