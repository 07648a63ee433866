import type { ConversationView } from '@chat/client';
import type { Message } from '@chat/protocol';
import type { ModelMessage } from './models/chat-model';

export interface HistoryOptions {
  /** The agent's own user id: its messages are the `assistant` turns. */
  selfId: string;
  /** The newest message to include (the one being answered); later ones are left out. */
  uptoSeq: number;
  /** At most this many of the newest messages. */
  limit: number;
  /** A member's display name (members who left included). */
  nameOf: (userId: string) => string;
}

/**
 * A conversation's recent messages as model context: the agent's own are `assistant` turns,
 * everyone else's `user` turns; in a group each of those starts with its sender's name
 * ("Alice: ..."), so the model can tell people apart on every provider (OpenAI's `name` field
 * has no counterpart in Anthropic's API). System lines, deleted messages and empty bodies are
 * left out; a stopped or interrupted answer counts with the text it had.
 */
export function conversationHistory(view: ConversationView, options: HistoryOptions): ModelMessage[] {
  const isGroup = view.members.length > 2;
  const usable = view.messages.filter(
    (message) =>
      message.kind === 'text' &&
      message.deleted_at === null &&
      message.seq <= options.uptoSeq &&
      contentOf(message) !== '',
  );
  return usable.slice(-options.limit).map((message): ModelMessage => {
    if (message.sender_id === options.selfId) return { role: 'assistant', content: contentOf(message) };
    const content = contentOf(message);
    return { role: 'user', content: isGroup ? `${options.nameOf(message.sender_id)}: ${content}` : content };
  });
}

/** The body, and the names of the files it carries (the model cannot see them). */
function contentOf(message: Message): string {
  const files = message.attachments.map((attachment) => attachment.name);
  if (files.length === 0) return message.body;
  const list = `[attached: ${files.join(', ')}]`;
  return message.body ? `${message.body}\n${list}` : list;
}
