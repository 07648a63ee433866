import type { ClientFrameOf } from '@chat/protocol';
import { conversationTopic } from '../../broker/broker';
import { newMessageEvent } from '../../realtime/change-frames';
import type { QueuedSend } from '../../realtime/send-queue';
import type { AppendOutcome } from '../../storage/storage';
import type { Connection } from '../connection';
import type { ServerContext } from '../context';
import { requireUser } from './membership';

/** Rate-limited, then queued for the next group commit; answered in `onSendOutcome`. */
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
  ctx.sendQueue.enqueue({ connection, senderId, frame, receivedAt: performance.now() });
}

export function onSendOutcome(ctx: ServerContext, send: QueuedSend, outcome: AppendOutcome): void {
  const { connection, frame } = send;
  if (outcome.status === 'rejected') {
    connection.sendError(outcome, { ref: frame.ref, clientId: frame.client_id });
    return;
  }
  connection.send({
    type: 'message_ack',
    ...(frame.ref === undefined ? {} : { ref: frame.ref }),
    client_id: frame.client_id,
    message: outcome.message,
  });
  ctx.metrics.ackLatency.observe((performance.now() - send.receivedAt) / 1000);
  if (outcome.status === 'duplicate') return;
  ctx.metrics.messagesPersisted.inc();
  const { conversation_id: conversationId } = outcome.message;
  void ctx.broker
    .publish(conversationTopic(conversationId), newMessageEvent(outcome.message))
    .catch((error: unknown) => ctx.log.error({ err: error, conversationId }, 'publish failed'));
  ctx.typing.end(conversationId, send.senderId);
}
