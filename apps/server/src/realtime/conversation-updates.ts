import type { GroupPlan } from '../domain/group-rules';
import type { Message } from '@chat/protocol';
import type { Storage } from '../storage/storage';
import type { Publisher } from './publisher';

/**
 * What follows a change to a conversation (docs/protocol.md section 9): its
 * system messages to the conversation, each member's own view of it to that
 * member's connections (settings and counts are per member), and to removed
 * users the end of their membership.
 */
export class ConversationUpdates {
  constructor(private readonly deps: { storage: Storage; publisher: Publisher }) {}

  async groupChanged(
    conversationId: string,
    change: { plan: GroupPlan; messages: Message[] },
  ): Promise<void> {
    const { storage, publisher } = this.deps;
    for (const message of change.messages) await publisher.messageCreated(message);
    await this.toMembers(conversationId, await storage.memberIds(conversationId));
    await Promise.all(change.plan.remove.map((userId) => publisher.membershipEnded(userId, conversationId)));
  }

  /** One member's own view changed (settings): their devices follow, nobody else hears. */
  async memberViewChanged(conversationId: string, userId: string): Promise<void> {
    await this.toMembers(conversationId, [userId]);
  }

  private async toMembers(conversationId: string, userIds: readonly string[]): Promise<void> {
    const { storage, publisher } = this.deps;
    await Promise.all(
      userIds.map(async (userId) => {
        const conversation = await storage.getConversation(conversationId, userId);
        if (conversation) await publisher.conversationTo(userId, conversation);
      }),
    );
  }
}
