import Anthropic from '@anthropic-ai/sdk';
import type { ChatModel, ModelMessage, ModelStreamOptions } from './chat-model';

export interface AnthropicOptions {
  /** Default `https://api.anthropic.com`. */
  baseURL?: string;
  apiKey: string;
  /** `claude-sonnet-4-5`, ... */
  model: string;
  /** The Messages API requires an upper bound of the answer's length. Default 1024. */
  maxTokens?: number;
  temperature?: number;
  /** Retries of a failed request before any event came (the client's default is 2). */
  maxRetries?: number;
  /** Aborts a request that takes longer (ms; the client's default is 10 minutes). */
  timeoutMs?: number;
}

const DEFAULT_MAX_TOKENS = 1024;

/**
 * A ChatModel on Anthropic's Messages API through the official `@anthropic-ai/sdk`, which speaks
 * its streaming events exactly (`message_start`, `content_block_delta` with `text_delta`, ...,
 * `message_stop`, and `event: error` mid-stream, thrown as an APIError).
 */
export function anthropicModel(options: AnthropicOptions): ChatModel {
  const client = new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
  return {
    async *stream(messages: readonly ModelMessage[], streamOptions: ModelStreamOptions = {}) {
      const { system, turns } = toAnthropic(messages);
      const events = await client.messages.create(
        {
          model: options.model,
          max_tokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
          messages: turns,
          stream: true,
          ...(system ? { system } : {}),
          ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        },
        streamOptions.signal ? { signal: streamOptions.signal } : {},
      );
      for await (const event of events) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta' && event.delta.text) {
          yield event.delta.text;
        }
      }
    },
  };
}

/**
 * The Messages API takes instructions apart (`system`) and a conversation that starts with the
 * user: system turns are joined into `system`, consecutive turns of one role merged, and
 * assistant turns before the first user turn dropped.
 */
export function toAnthropic(messages: readonly ModelMessage[]): {
  system: string;
  turns: Array<{ role: 'user' | 'assistant'; content: string }>;
} {
  const system = messages
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n\n');
  const turns: Array<{ role: 'user' | 'assistant'; content: string }> = [];
  for (const message of messages) {
    if (message.role === 'system' || message.content === '') continue;
    if (turns.length === 0 && message.role === 'assistant') continue;
    const last = turns.at(-1);
    if (last && last.role === message.role) last.content += `\n\n${message.content}`;
    else turns.push({ role: message.role, content: message.content });
  }
  return { system, turns };
}
