/**
 * What an agent's model adapter does, whatever the provider: turn a conversation into a stream
 * of text chunks, and stop (cancelling the HTTP request) when the signal aborts.
 */

/** One turn of model context. `system` turns are instructions; adapters place them as their API wants. */
export interface ModelMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ModelStreamOptions {
  /** Aborting cancels the request: the iteration then ends (or throws an abort error). */
  signal?: AbortSignal;
}

export interface ChatModel {
  /**
   * The answer to `messages`, chunk by chunk, as the provider streams it. Throws the provider's
   * error (also one that arrives mid-stream, after some chunks).
   */
  stream(messages: readonly ModelMessage[], options?: ModelStreamOptions): AsyncIterable<string>;
}
