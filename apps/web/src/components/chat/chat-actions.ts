/** What the chat window can ask of the connection, for one conversation. */
export interface ChatActions {
  /** `files`: attached in the composer (uploaded by the client before the message goes). */
  send: (body: string, replyTo: string | null, mentions: string[], files?: File[]) => void;
  typing: (isTyping: boolean) => void;
  markRead: (seq: number) => void;
  edit: (messageId: string, body: string) => void;
  unsend: (messageId: string) => void;
  react: (messageId: string, reaction: string | null) => void;
  retry: (clientId: string) => void;
  /** Fetches the page of history before the oldest message held. */
  loadOlder: () => void;
  /**
   * "Stop generating" (section 14): asks the sender of a streaming message to stop. Rejects when
   * refused (the button comes back); the window says why.
   */
  stop?: (messageId: string) => Promise<unknown>;
  /** Reconnect now, skipping the backoff wait. */
  reconnect?: () => void;
}
