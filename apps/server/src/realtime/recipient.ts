import type { ServerFrameType } from '@chat/protocol';

/**
 * What realtime needs of a connection: whose it is, and a way to hand it a
 * frame serialised once for every recipient. `ws/connection.ts` implements it;
 * realtime never sees a socket.
 */
export interface Recipient {
  readonly userId: string | null;
  /** The connection's id: a stream's relay skips the connection streaming it (section 14). */
  readonly id?: string;
  sendSerialized(text: string, type: ServerFrameType): void;
  /** The user stopped being a member: leave the conversation's room and say so (`left`, `removed`). */
  endMembership(conversationId: string): void;
  /** Section 14: sha256 of the API key an agent's connection signed in with; null for a token. */
  readonly apiKeyHash?: string | null;
  /** Section 14: the user's credential stopped (an agent's key replaced, the agent deleted): close with 4001. */
  endSession?(reason: string): void;
}
