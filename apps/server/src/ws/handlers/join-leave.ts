import type { ClientFrameOf } from '@chat/protocol';
import type { ServerContext } from '../../context';
import { agentStatusFrame, joinedFrame, leftFrame, serializeFrame, typingFrame } from '../../realtime/frames';
import type { Connection } from '../connection';
import { requireMember, requireUser } from './membership';

/**
 * Subscribes the connection. The room keeps every change committed after this
 * point for the connection; the snapshot read afterwards covers everything
 * before, so `joined` plus what follows is gapless and has no duplicates.
 */
export async function handleJoin(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'join_conversation'>,
): Promise<void> {
  const userId = requireUser(connection);
  const conversationId = frame.conversation_id;
  await requireMember(ctx, connection, conversationId, true);
  const firstJoin = !connection.isJoined(conversationId);
  connection.markJoined(conversationId);
  let room;
  let snapshot;
  try {
    room = await ctx.rooms.beginJoin(connection, conversationId);
    snapshot = await ctx.storage.joinSnapshot(conversationId, frame.since_seq);
  } catch (error) {
    if (firstJoin) {
      // Not counted for presence yet: only undo the room.
      connection.unmarkJoined(conversationId);
      ctx.rooms.remove(connection, conversationId);
    } else {
      await leaveConversation(ctx, connection, conversationId);
    }
    throw error;
  }
  if (!connection.isOpen) return;
  // A leave that overtook this join already answered and cleaned up; the join still gets its reply.
  const stillJoining = connection.isJoined(conversationId);
  if (stillJoining && firstJoin && (await ctx.presence.add(conversationId, userId))) {
    await ctx.publisher.presence(conversationId, userId, true);
  }
  const online = await ctx.presence.onlineUserIds(conversationId);
  connection.send(
    joinedFrame(frame.ref, {
      conversation_id: conversationId,
      last_seq: snapshot.last_seq,
      members: snapshot.members.map((member) => ({ ...member, online: online.has(member.user_id) })),
      messages: snapshot.messages,
      has_more: snapshot.has_more,
    }),
  );
  if (!stillJoining) return;
  // Section 14: the text so far of what streams now, before the changes that may end it.
  const notStreaming = new Set(snapshot.messages.filter((m) => m.state !== 'streaming').map((m) => m.id));
  for (const held of room.heldStreams) {
    if (held.connectionId !== connection.id && !notStreaming.has(held.messageId)) {
      connection.sendSerialized(held.frame, 'message_stream');
    }
  }
  room.completeJoin(connection, snapshot.last_seq);
  // Someone already typing, here or on another process, shows at once, not only at their next change.
  for (const typistId of new Set([...ctx.typing.typistsIn(conversationId), ...room.typistIds])) {
    if (typistId !== userId) connection.send(typingFrame(conversationId, typistId, true));
  }
  // Section 14: statuses that are not idle, set here or on another process.
  const statuses = new Map(room.agentStatusFrames);
  for (const { userId: agentId, status, detail } of ctx.agentStatus.statusesIn(conversationId)) {
    statuses.set(agentId, serializeFrame(agentStatusFrame(conversationId, agentId, status, detail)));
  }
  for (const [agentId, statusFrame] of statuses) {
    if (agentId !== userId) connection.sendSerialized(statusFrame, 'agent_status');
  }
}

export async function handleLeave(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'leave_conversation'>,
): Promise<void> {
  requireUser(connection);
  await leaveConversation(ctx, connection, frame.conversation_id);
  connection.send(leftFrame(frame.ref, frame.conversation_id, 'left'));
}

/**
 * The user was removed or left the group: a joined connection leaves at once
 * (it receives nothing more of the conversation) and hears `left` with reason
 * `removed`; presence and typing end as on any leave.
 */
export function endMembership(ctx: ServerContext, connection: Connection, conversationId: string): void {
  if (!connection.isJoined(conversationId)) return;
  leaveConversation(ctx, connection, conversationId).catch((error: unknown) =>
    ctx.log.error({ err: error, conversationId, connectionId: connection.id }, 'leave on removal failed'),
  );
  connection.send(leftFrame(undefined, conversationId, 'removed'));
}

/** Also run for every joined conversation when a connection closes. */
export async function leaveConversation(
  ctx: ServerContext,
  connection: Connection,
  conversationId: string,
): Promise<void> {
  const userId = connection.userId;
  if (userId === null || !connection.unmarkJoined(conversationId)) return;
  ctx.rooms.remove(connection, conversationId);
  ctx.typing.end(conversationId, userId, connection.id);
  if (await ctx.presence.remove(conversationId, userId)) {
    await ctx.publisher.presence(conversationId, userId, false);
  }
}
