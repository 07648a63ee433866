import type { Message } from '@chat/protocol';
import { agentClient } from './agent-client';
import type { AgentClient } from './agent-client';

/** How a streamed answer ended, as the agent ended it. */
export interface EndedAnswer {
  messageId: string;
  text: string;
  state: 'complete' | 'stopped';
}

export interface SlowAgentOptions {
  /** The server's `/ws` URL. */
  url: string;
  apiKey: string;
  /** The words of every answer, streamed one at a time. */
  words: readonly string[];
  /** Between two words. */
  intervalMs: number;
  /** What it says while it waits to begin (`agent_status working`). */
  statusDetail: string;
}

/**
 * An agent in the test process, as a real one runs: a ChatClient with its API key over Node's
 * `ws`. It answers each new question (a message ending with "?") in the conversation it joined: a
 * status first, then, once the test lets it begin (`begin()`), a streamed answer a word at a time;
 * a `stream_stop` ends it at once as `stopped` with the text so far.
 */
export class SlowAgent {
  private readonly ended: EndedAnswer[] = [];
  private readonly waiters: (() => void)[] = [];
  private release: (() => void) | null = null;
  private readonly allowed: Promise<void>;
  private readonly stopAsked = new Set<string>();
  private crashed = false;
  private streamed = 0;

  /** A new agent client for these options (not connected yet: `join`). */
  static async create(options: SlowAgentOptions): Promise<SlowAgent> {
    return new SlowAgent(options, await agentClient(options.url, options.apiKey));
  }

  private constructor(
    private readonly options: SlowAgentOptions,
    readonly client: AgentClient,
  ) {
    this.allowed = new Promise((resolve) => {
      this.release = resolve;
    });
    this.client.on('stream_stop', (stop) => this.stopAsked.add(stop.message_id));
    this.client.on('message', (message) => {
      void this.answer(message).catch((error: unknown) => {
        console.error('slow agent: answering failed', error);
      });
    });
  }

  /** Connects and joins the conversation; resolves once joined. */
  async join(conversationId: string): Promise<void> {
    this.client.start();
    this.client.join(conversationId);
    const deadline = Date.now() + 15_000;
    while (!this.client.getConversation(conversationId).joined) {
      if (Date.now() > deadline)
        throw new Error(`the agent could not join: ${this.client.closeReason ?? ''}`);
      await sleep(50);
    }
  }

  /** Lets the answer waiting behind its status begin to stream. */
  begin(): void {
    this.release?.();
  }

  /** The next answer to end, as the agent ended it. */
  async nextEnded(): Promise<EndedAnswer> {
    while (this.ended.length === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.ended.shift()!;
  }

  /** Words streamed so far, over every answer. */
  get wordsStreamed(): number {
    return this.streamed;
  }

  stop(): void {
    this.client.stop();
  }

  /** Goes away mid-answer, as a crashed process would: the socket closes, nothing is ended. */
  crash(): void {
    this.crashed = true;
    this.client.stop();
  }

  private async answer(question: Message): Promise<void> {
    // Only questions: people talking among themselves are left alone.
    if (question.kind !== 'text' || !question.body.trim().endsWith('?')) return;
    const conversationId = question.conversation_id;
    this.client.setAgentStatus(conversationId, 'working', this.options.statusDetail);
    await this.allowed;
    const message = await this.client.startStream(conversationId, { replyTo: null });
    let text = '';
    for (const word of this.options.words) {
      if (this.crashed) return;
      if (this.stopAsked.has(message.id)) break;
      text = text ? `${text} ${word}` : word;
      this.client.streamMessage(message.id, text);
      this.streamed += 1;
      await sleep(this.options.intervalMs);
    }
    const state = this.stopAsked.has(message.id) ? 'stopped' : 'complete';
    await this.client.endStream(message.id, text, state);
    this.ended.push({ messageId: message.id, text, state });
    for (const wake of this.waiters.splice(0)) wake();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
