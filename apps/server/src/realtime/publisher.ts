import type { AgentStatus, Conversation, Message, MessageChange } from '@chat/protocol';
import { conversationTopic, userTopic, type Broker, type BrokerEvent } from '../broker/broker';
import type { Logger } from '../logger';
import { messageUpdatedEvent, newMessageEvent } from './change-events';
import {
  agentStatusFrame,
  conversationFrame,
  conversationRemovedFrame,
  errorFrame,
  presenceFrame,
  messageStreamFrame,
  readFrame,
  serializeFrame,
  streamStopFrame,
  typingFrame,
} from './frames';

/**
 * The one way an event leaves for other connections, whoever raised it: a
 * frame handler, a REST route or a timer. Each event is serialised once here
 * and routed through the broker, so the same code serves one process or many.
 *
 * Publishing never fails its caller. A change is already committed when it is
 * published, so a broker that lost it is made good by the rooms' gap filling
 * from storage; typing and presence are ephemeral and their next change
 * supersedes them. A failure is logged.
 */
export class Publisher {
  constructor(private readonly deps: { broker: Broker; log: Logger }) {}

  messageCreated(message: Message): Promise<void> {
    return this.toConversation(message.conversation_id, newMessageEvent(message));
  }

  messageUpdated(message: Message, change: MessageChange): Promise<void> {
    return this.toConversation(message.conversation_id, messageUpdatedEvent(message, change));
  }

  /** To the joined connections of everyone but the typist. */
  typing(conversationId: string, userId: string, isTyping: boolean): Promise<void> {
    const frame = serializeFrame(typingFrame(conversationId, userId, isTyping));
    return this.toConversation(conversationId, { kind: 'others', userId, type: 'typing', frame });
  }

  /** To the joined connections of everyone but the user. */
  presence(conversationId: string, userId: string, online: boolean): Promise<void> {
    const frame = serializeFrame(presenceFrame(conversationId, userId, online));
    return this.toConversation(conversationId, { kind: 'others', userId, type: 'presence', frame });
  }

  /** To every joined connection, the reader's own included. */
  read(conversationId: string, userId: string, seq: number): Promise<void> {
    const frame = serializeFrame(readFrame(conversationId, userId, seq));
    return this.toConversation(conversationId, { kind: 'all', type: 'read', frame });
  }

  /** Section 14: to the joined connections but `connectionId`, the one streaming the message. */
  messageStream(
    conversationId: string,
    messageId: string,
    connectionId: string,
    body: string,
  ): Promise<void> {
    const frame = serializeFrame(messageStreamFrame(conversationId, messageId, body));
    return this.toConversation(conversationId, {
      kind: 'stream',
      messageId,
      connectionId,
      type: 'message_stream',
      frame,
    });
  }

  /** Section 14: to every connection of the sender, joined or not, on every process. */
  streamStop(senderId: string, conversationId: string, messageId: string, by: string): Promise<void> {
    const frame = serializeFrame(streamStopFrame(conversationId, messageId, by));
    return this.publish(userTopic(senderId), { kind: 'stop', messageId, type: 'stream_stop', frame });
  }

  /** Section 14: to the joined connections of everyone but the user. */
  agentStatus(
    conversationId: string,
    userId: string,
    status: AgentStatus,
    detail: string | null,
  ): Promise<void> {
    const frame = serializeFrame(agentStatusFrame(conversationId, userId, status, detail));
    return this.toConversation(conversationId, { kind: 'others', userId, type: 'agent_status', frame });
  }

  /** To every connection of each member, joined anywhere or not. */
  async conversationCreated(conversation: Conversation, memberIds: readonly string[]): Promise<void> {
    const frame = serializeFrame(conversationFrame(conversation));
    await Promise.all(
      memberIds.map((memberId) =>
        this.publish(userTopic(memberId), { kind: 'user', type: 'conversation', frame }),
      ),
    );
  }

  /** A conversation as one user sees it (their settings and counts), to every connection of theirs. */
  conversationTo(userId: string, conversation: Conversation): Promise<void> {
    const frame = serializeFrame(conversationFrame(conversation));
    return this.publish(userTopic(userId), { kind: 'user', type: 'conversation', frame });
  }

  /** The user is no longer a member: their connections leave it and hear `conversation_removed`. */
  membershipEnded(userId: string, conversationId: string): Promise<void> {
    const frame = serializeFrame(conversationRemovedFrame(conversationId));
    return this.publish(userTopic(userId), {
      kind: 'removed',
      conversationId,
      type: 'conversation_removed',
      frame,
    });
  }

  /**
   * Section 14: an agent's key was replaced (`keptKeyHash`: the new key's) or it
   * was deleted (null): its other sockets, on every process, close with 4001.
   */
  credentialsRevoked(userId: string, reason: string, keptKeyHash: string | null): Promise<void> {
    const frame = serializeFrame(errorFrame({ code: 'unauthorized', message: reason }));
    return this.publish(userTopic(userId), { kind: 'revoked', keptKeyHash, type: 'error', frame });
  }

  private toConversation(conversationId: string, event: BrokerEvent): Promise<void> {
    return this.publish(conversationTopic(conversationId), event);
  }

  private async publish(topic: string, event: BrokerEvent): Promise<void> {
    try {
      await this.deps.broker.publish(topic, event);
    } catch (error) {
      this.deps.log.error({ err: error, topic, type: event.type }, 'publish failed');
    }
  }
}
