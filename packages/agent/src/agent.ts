import { ChatClient, systemClock } from '@chat/client';
import type { ChatClientOptions, Clock, ConversationView, WebSocketLike } from '@chat/client';
import type { Message, User } from '@chat/protocol';
import { MessageContext } from './message-context';

export type MessageHandler = (message: Message, ctx: MessageContext) => Promise<void> | void;

export interface AgentOptions {
  /** The chat server: its `/ws` URL, or its http(s) origin (`http://localhost:3000`). */
  url: string;
  /** The agent's API key (`chat_ak_...`). */
  apiKey: string;
  /** In Node, `ws`'s WebSocket; default globalThis.WebSocket. */
  WebSocket?: WebSocketLike;
  /**
   * Answer messages of other agents too (default false: two agents would answer each other
   * forever). Only their plain messages: a streamed one arrives as `streaming` and is skipped.
   */
  answerAgents?: boolean;
  /** Runs the relay timers (and the client's); default the runtime's. */
  clock?: Clock;
  /** Further ChatClient options (backoff, heartbeat, an outbox, ...). */
  client?: Partial<ChatClientOptions>;
}

/**
 * An agent in a few lines, on ChatClient (so reconnects, resume and the outbox come with it):
 * it joins every conversation it is a member of, and the ones it is added to as they come, and
 * calls the handler with each new text message from someone else.
 *
 * Which messages: each new `text` message from a person (not its own, not system lines, not
 * another agent's unless `answerAgents`), one at a time per conversation in order. History
 * found when it starts is not answered. After a reconnect, what arrived while it was away is
 * answered only if the newest of it is newer than the agent's own last message there: then
 * that newest message alone (one answer, not one per missed message). A conversation it is
 * added to later is treated the same way from the moment it was added, so a question asked
 * right after adding it is answered even if it arrives with the join rather than live.
 */
export class Agent {
  readonly client: ChatClient;
  private readonly clock: Clock;
  private handler: MessageHandler | null = null;
  private errorHandler: (error: unknown, message: Message) => void = (error, message) =>
    console.error(`agent: the handler failed on message ${message.id}`, error);
  /** The highest seq each joined conversation has been looked at up to (answered or not). */
  private readonly seenSeq = new Map<string, number>();
  /** The conversations of the list's first load: what they hold then is history. */
  private startupIds: ReadonlySet<string> | null = null;
  /** Each conversation's handler queue: one message at a time, in order. */
  private readonly queues = new Map<string, Promise<void>>();
  /** message id of a reply streaming now -> its context's controller, for `stream_stop`. */
  private readonly stoppable = new Map<string, AbortController>();
  private readonly unsubscribe: Array<() => void> = [];
  private unwatch: (() => void) | null = null;

  constructor(private readonly options: AgentOptions) {
    this.clock = options.clock ?? systemClock;
    this.client = new ChatClient({
      url: wsUrl(options.url),
      apiKey: options.apiKey,
      pageVisibility: null,
      clock: this.clock,
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
      ...options.client,
    });
  }

  /** The agent's own user, once authenticated. */
  get user(): User | null {
    return this.client.user;
  }

  /** Sets the handler of new messages. */
  onMessage(handler: MessageHandler): this {
    this.handler = handler;
    return this;
  }

  /** Where a handler's failure goes (default: console.error). */
  onError(handler: (error: unknown, message: Message) => void): this {
    this.errorHandler = handler;
    return this;
  }

  /** Connects, joins every conversation of the agent's, and starts answering. */
  start(): void {
    if (this.unwatch) return;
    const client = this.client;
    this.unsubscribe.push(
      client.on('message', (message) => this.received(message)),
      client.on('stream_stop', (stop) =>
        this.stoppable.get(stop.message_id)?.abort(new Error('stopped by a member')),
      ),
      client.subscribe(() => this.catchUp()),
    );
    client.start();
    this.unwatch = client.watchConversations();
  }

  /** Disconnects (replies being streamed end `interrupted` on the server). */
  stop(): void {
    this.unwatch?.();
    this.unwatch = null;
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    for (const controller of this.stoppable.values()) controller.abort(new Error('the agent stopped'));
    this.client.stop();
  }

  /** A live message in a joined conversation, from someone else. */
  private received(message: Message): void {
    const conversationId = message.conversation_id;
    if (!this.seenSeq.has(conversationId)) return; // its join is being looked at by catchUp
    this.seenSeq.set(conversationId, Math.max(this.seenSeq.get(conversationId) ?? 0, message.seq));
    if (this.answerable(message, this.client.getConversation(conversationId))) this.enqueue(message);
  }

  /**
   * After any change: a conversation joined for the first time sets where answering starts; one
   * joined again after a reconnect may hold messages that came while the agent was away.
   */
  private catchUp(): void {
    const self = this.client.user?.id;
    if (!self || !this.client.conversationsLoaded) return;
    // The list is loaded before any of its conversations is joined (watchConversations).
    this.startupIds ??= new Set(this.client.getConversations().map((conversation) => conversation.id));
    for (const conversation of this.client.getConversations()) {
      const view = this.client.getConversation(conversation.id);
      if (!view.joined) continue;
      const newest = view.messages.at(-1)?.seq ?? 0;
      const seen = this.seenSeq.get(conversation.id);
      if (seen === undefined) {
        if (this.startupIds.has(conversation.id)) {
          this.seenSeq.set(conversation.id, newest); // history: not answered
          continue;
        }
        this.seenSeq.set(conversation.id, addedAt(view, self));
      }
      const from = this.seenSeq.get(conversation.id) ?? 0;
      if (newest <= from) continue;
      this.seenSeq.set(conversation.id, newest);
      const missed = view.messages.filter((message) => message.seq > from);
      const lastOwn = view.messages.findLast((message) => message.sender_id === self)?.seq ?? 0;
      const question = missed.findLast((message) => this.answerable(message, view));
      if (question && question.seq > lastOwn) this.enqueue(question);
    }
  }

  private answerable(message: Message, view: ConversationView): boolean {
    if (message.kind !== 'text' || message.deleted_at !== null || message.state !== 'complete') return false;
    if (message.sender_id === this.client.user?.id) return false;
    if (this.options.answerAgents) return true;
    return !view.members.find((member) => member.user_id === message.sender_id)?.is_agent;
  }

  private enqueue(message: Message): void {
    const conversationId = message.conversation_id;
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    const next = previous.then(() => this.handle(message));
    this.queues.set(conversationId, next);
    void next.finally(() => {
      if (this.queues.get(conversationId) === next) this.queues.delete(conversationId);
    });
  }

  private async handle(message: Message): Promise<void> {
    const handler = this.handler;
    const self = this.client.user?.id;
    if (!handler || !self) return;
    // Read receipts show the person that the agent has the message.
    this.client.markRead(message.conversation_id, message.seq).catch((error: unknown) => {
      console.warn(`agent: could not mark ${message.id} read`, error);
    });
    const ctx = new MessageContext(message, {
      client: this.client,
      clock: this.clock,
      selfId: self,
      watchStop: (messageId, controller) => {
        this.stoppable.set(messageId, controller);
        return () => this.stoppable.delete(messageId);
      },
    });
    try {
      await handler(message, ctx);
    } catch (error) {
      this.errorHandler(error, message);
    } finally {
      // Sending or streaming ends the status on the server; otherwise say so here.
      if (ctx.busy && !ctx.answered) this.client.setAgentStatus(ctx.conversationId, 'idle');
    }
  }
}

/**
 * The seq from which a conversation the agent was added to is answered: its last `members_added`
 * naming the agent, or 0 (a conversation made with the agent in it).
 */
function addedAt(view: ConversationView, self: string): number {
  const added = view.messages.findLast(
    (message) => message.event?.type === 'members_added' && message.event.user_ids.includes(self),
  );
  return added?.seq ?? 0;
}

/** `http://host:3000` -> `ws://host:3000/ws`; a ws(s) URL is taken as it is. */
export function wsUrl(url: string): string {
  if (/^wss?:/.test(url)) return url;
  const parsed = new URL(url);
  parsed.protocol = parsed.protocol === 'https:' ? 'wss:' : 'ws:';
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/ws`;
  return parsed.toString();
}
