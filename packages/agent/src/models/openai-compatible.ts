import OpenAI from 'openai';
import type { ChatModel, ModelMessage, ModelStreamOptions } from './chat-model';

export interface OpenAiCompatibleOptions {
  /**
   * The API's base URL, up to and including `/v1`: `https://api.openai.com/v1`, Ollama's
   * `http://localhost:11434/v1`, a llama.cpp or vLLM server's `http://host:8080/v1`.
   */
  baseURL: string;
  /** The provider's key; local servers need none (a placeholder is sent). */
  apiKey?: string;
  /** The model's name as the server knows it (`gpt-4o-mini`, `llama3.2`, ...). */
  model: string;
  /** Upper bound of the answer's length in tokens (the server's default when left out). */
  maxTokens?: number;
  temperature?: number;
  /** Retries of a failed request before any chunk came (the client's default is 2). */
  maxRetries?: number;
  /** Aborts a request that takes longer (ms; the client's default is 10 minutes). */
  timeoutMs?: number;
}

/**
 * A ChatModel on any OpenAI-compatible chat-completions endpoint, through the official `openai`
 * client: it speaks that wire format exactly (`stream: true`, SSE `data:` chunks of
 * `choices[0].delta.content`, `data: [DONE]`, an `error` object mid-stream), so OpenAI, Ollama,
 * llama.cpp's server and vLLM all work by configuration alone.
 */
export function openAiCompatibleModel(options: OpenAiCompatibleOptions): ChatModel {
  const client = new OpenAI({
    baseURL: options.baseURL,
    // The client refuses to start without a key; local servers ignore it.
    apiKey: options.apiKey || 'no-key',
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
  return {
    async *stream(messages: readonly ModelMessage[], streamOptions: ModelStreamOptions = {}) {
      const chunks = await client.chat.completions.create(
        {
          model: options.model,
          messages: messages.map((message) => ({ role: message.role, content: message.content })),
          stream: true,
          ...(options.maxTokens === undefined ? {} : { max_completion_tokens: options.maxTokens }),
          ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        },
        streamOptions.signal ? { signal: streamOptions.signal } : {},
      );
      for await (const chunk of chunks) {
        const text = chunk.choices[0]?.delta?.content;
        if (text) yield text;
      }
    },
  };
}
