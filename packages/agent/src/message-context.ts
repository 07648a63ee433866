import { bodyProblem } from '@chat/protocol';
import type { Message } from '@chat/protocol';
import { ChatError } from '@chat/client';
import type { ChatClient, Clock, ConversationView } from '@chat/client';
import { conversationHistory } from './history';
import type { ModelMessage } from './models/chat-model';
import { streamReply } from './reply-stream';
import type { StreamResult, StreamSource } from './reply-stream';

/** How many of the newest messages `history()` gives by default. */
const DEFAULT_HISTORY_LIMIT = 30;

export interface MessageContextDeps {
  client: ChatClient;
  clock: Clock;
  selfId: string;
  watchStop: (messageId: string, controller: AbortController) => () => void;
}

/**
 * What a handler gets with each message: the conversation's history as model context, and the
 * ways to answer there (a status, a reply, a streamed reply). One AbortController per message:
 * a member's stop of a reply streamed from here aborts `signal`, which is what the model call
 * should be given, so a stop cancels the request to the provider too.
 */
export class MessageContext {
  readonly conversationId: string;
  private readonly controller = new AbortController();
  /** Whether a reply or a stream went out (the server then ends the agent's status itself). */
  answered = false;
  /** Whether a status other than idle was set. */
  busy = false;

  constructor(
    /** The message being answered. */
    readonly message: Message,
    private readonly deps: MessageContextDeps,
  ) {
    this.conversationId = message.conversation_id;
  }

  /**
   * Aborted when a member stops a reply streamed from this context (or the caller's signal given
   * to `stream` aborts, or the connection is lost). It stays aborted: the handler's work is over.
   */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The conversation as the client holds it (messages, members, ...). */
  get conversation(): ConversationView {
    return this.deps.client.getConversation(this.conversationId);
  }

  /**
   * The newest `limit` messages up to the one being answered, as model context (`user` turns for
   * others, prefixed with their names in a group; `assistant` turns for this agent's own).
   */
  history(limit = DEFAULT_HISTORY_LIMIT): ModelMessage[] {
    const client = this.deps.client;
    const view = this.conversation;
    return conversationHistory(view, {
      selfId: this.deps.selfId,
      uptoSeq: this.message.seq,
      limit,
      nameOf: (userId) =>
        view.members.find((member) => member.user_id === userId)?.display_name ??
        client.displayName(userId) ??
        'Someone',
    });
  }

  /** Shows what the agent is doing (`thinking`, `working` with a detail); `idle` clears it. */
  status(status: 'thinking' | 'working' | 'idle', detail?: string): void {
    this.busy = status !== 'idle';
    this.deps.client.setAgentStatus(this.conversationId, status, detail);
  }

  /**
   * Sends a plain message (through the outbox: resent after a reconnect, never doubled) and
   * resolves with it once stored. At most 4,000 characters; stream longer answers.
   */
  reply(text: string, options: { replyTo?: string | null } = {}): Promise<Message> {
    const problem = bodyProblem(text);
    if (problem) return Promise.reject(new ChatError('bad_request', problem));
    this.answered = true;
    const client = this.deps.client;
    const pending = client.send(this.conversationId, text, { replyTo: options.replyTo ?? null });
    return new Promise<Message>((resolve, reject) => {
      const check = (): boolean => {
        const view = client.getConversation(this.conversationId);
        const stored = view.messages.find((message) => message.client_id === pending.client_id);
        if (stored) {
          resolve(stored);
          return true;
        }
        const failed = view.pending.find(
          (item) => item.client_id === pending.client_id && item.state === 'failed',
        );
        if (!failed) return false;
        client.discard(pending.client_id);
        reject(
          new ChatError((failed.error?.code ?? 'internal') as ChatError['code'], failed.error?.message ?? ''),
        );
        return true;
      };
      if (check()) return;
      const unsubscribe = client.subscribe(() => {
        if (check()) unsubscribe();
      });
    });
  }

  /**
   * Streams a reply from `source` (chunks of text; or a function given this context's signal):
   * relayed at most every 100 ms, ended `complete` when the source ends. A member's stop (or the
   * caller's `signal`) aborts the source and ends it `stopped` with the text so far; a source
   * that throws ends it `stopped` with the text so far and a short note; a lost connection
   * leaves it to the server, which ends it `interrupted`. Never throws for those: the result says.
   */
  stream(
    source: StreamSource,
    options: { signal?: AbortSignal; replyTo?: string | null } = {},
  ): Promise<StreamResult> {
    this.answered = true;
    const external = options.signal;
    if (external) {
      if (external.aborted) this.controller.abort(external.reason);
      else external.addEventListener('abort', () => this.controller.abort(external.reason), { once: true });
    }
    return streamReply(
      {
        client: this.deps.client,
        clock: this.deps.clock,
        controller: this.controller,
        watchStop: this.deps.watchStop,
      },
      this.conversationId,
      source,
      options,
    );
  }
}
