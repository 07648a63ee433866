import { parseClientFrame, type ClientFrame } from '@chat/protocol';
import type { ServerContext } from '../context';
import { toChatError } from '../domain/chat-error';
import { pongFrame } from '../realtime/frames';
import type { Connection } from './connection';
import { handleAuthenticate } from './handlers/authenticate';
import { handleClientState } from './handlers/client-state';
import { handleJoin, handleLeave } from './handlers/join-leave';
import { handleMarkRead } from './handlers/mark-read';
import { handleMessageChange } from './handlers/message-changes';
import { handleSendMessage } from './handlers/send-message';
import { handleTyping } from './handlers/typing';
import { handleAgentStatus } from './handlers/agent-status';
import { handleEndStream, handleStopStream, handleStreamMessage } from './handlers/streaming';

/**
 * The one choke point for client frames: parse and validate once, gate on
 * authentication, route to the handler, and turn whatever it throws into the
 * `error` reply (with the frame's `ref` and `client_id`).
 *
 * Returns a promise only while a handler is still at work (a join reading
 * storage); a frame handled at once (a send, which the group commit answers
 * later) returns nothing, so the hot path makes no promise per frame.
 */
export function dispatchFrame(
  ctx: ServerContext,
  connection: Connection,
  text: string,
): Promise<void> | void {
  const parsed = parseClientFrame(text);
  if (!parsed.ok) {
    ctx.metrics.framesIn.count('invalid');
    const { ref, client_id: clientId } = parsed.problem;
    connection.sendError(parsed.problem, { ref, clientId });
    return;
  }
  const frame = parsed.frame;
  ctx.metrics.framesIn.count(frame.type);
  if (connection.user === null && frame.type !== 'authenticate' && frame.type !== 'ping') {
    connection.sendError({ code: 'unauthorized', message: 'authenticate first' }, { ref: frame.ref });
    return;
  }
  const fail = (error: unknown) => {
    const chatError = toChatError(error);
    if (chatError.code === 'internal') {
      ctx.log.error({ err: error, frameType: frame.type, connectionId: connection.id }, 'frame failed');
    }
    connection.sendError(chatError, {
      ref: frame.ref,
      clientId: frame.type === 'send_message' ? frame.client_id : undefined,
    });
  };
  try {
    const pending = route(ctx, connection, frame);
    if (pending) return pending.catch(fail);
  } catch (error) {
    fail(error);
  }
}

/** A new client frame type is routed here, to a handler of its own in handlers/. */
function route(ctx: ServerContext, connection: Connection, frame: ClientFrame): Promise<void> | void {
  switch (frame.type) {
    case 'authenticate':
      return handleAuthenticate(ctx, connection, frame);
    case 'join_conversation':
      return handleJoin(ctx, connection, frame);
    case 'leave_conversation':
      return handleLeave(ctx, connection, frame);
    case 'send_message':
      return handleSendMessage(ctx, connection, frame);
    case 'typing':
      return handleTyping(ctx, connection, frame);
    case 'mark_read':
      return handleMarkRead(ctx, connection, frame);
    case 'edit_message':
    case 'delete_message':
    case 'react':
      return handleMessageChange(ctx, connection, frame);
    case 'ping':
      return connection.send(pongFrame(frame.ref, new Date(ctx.clock.now())));
    case 'client_state':
      return handleClientState(ctx, connection, frame);
    case 'stream_message':
      return handleStreamMessage(ctx, connection, frame);
    case 'end_stream':
      return handleEndStream(ctx, connection, frame);
    case 'stop_stream':
      return handleStopStream(ctx, connection, frame);
    case 'agent_status':
      return handleAgentStatus(ctx, connection, frame);
  }
}
