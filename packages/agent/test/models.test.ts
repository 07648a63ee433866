import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { anthropicModel, openAiCompatibleModel } from '../src/index';
import type { ChatModel } from '../src/index';
import { toAnthropic } from '../src/models/anthropic';
import {
  ModelServer,
  anthropicDelta,
  anthropicEnd,
  anthropicStart,
  openAiChunk,
  sse,
  startSse,
} from './support/model-server';
import { until } from './support/until';

/*
 * Acceptance 6: the adapters against a loopback server speaking each provider's streaming wire
 * format, including a mid-stream error and a stop (the request cancelled: the server sees its
 * connection close).
 */

let server: ModelServer;
beforeAll(async () => {
  server = await ModelServer.start();
});
afterAll(async () => {
  await server.close();
});

const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Alice: hello' },
  { role: 'assistant' as const, content: 'Hi Alice.' },
  { role: 'user' as const, content: 'Alice: what is 2+2?' },
];

/** Collects a stream's chunks, and the error that ended it, if any. */
async function collect(
  stream: AsyncIterable<string>,
  onChunk: (chunk: string) => void = () => undefined,
): Promise<{ chunks: string[]; error: unknown }> {
  const chunks: string[] = [];
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      onChunk(chunk);
    }
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined };
}

/** A promise the test resolves when the client has what the server sent so far. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe('openAiCompatibleModel (chat-completions SSE)', () => {
  const model = (): ChatModel =>
    openAiCompatibleModel({
      baseURL: `${server.url}/v1`,
      apiKey: 'sk-test',
      model: 'test-model',
      maxRetries: 0,
    });

  test('streams the delta contents in order, until data: [DONE]', async () => {
    server.answer((response) => {
      startSse(response);
      for (const text of ['Two', ' plus two', ' is four.']) sse(response, openAiChunk(text));
      sse(response, openAiChunk('', 'stop'));
      sse(response, '[DONE]');
      response.end();
    });
    const { chunks, error } = await collect(model().stream(messages));
    expect(error).toBeUndefined();
    expect(chunks).toEqual(['Two', ' plus two', ' is four.']);
    const request = server.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.body).toMatchObject({ model: 'test-model', stream: true, messages });
  });

  test('an error object mid-stream is thrown after the chunks before it', async () => {
    server.answer((response) => {
      startSse(response);
      sse(response, openAiChunk('Two'));
      sse(response, { error: { message: 'the model is overloaded', type: 'server_error', code: null } });
      response.end();
    });
    const { chunks, error } = await collect(model().stream(messages));
    expect(chunks).toEqual(['Two']);
    expect(String(error)).toMatch(/overloaded/);
  });

  test('a connection cut mid-stream is thrown after the chunks before it', async () => {
    const received = gate();
    server.answer(async (response) => {
      startSse(response);
      sse(response, openAiChunk('Two'));
      await received.wait;
      response.socket?.destroy();
    });
    const { chunks, error } = await collect(model().stream(messages), () => received.open());
    expect(chunks).toEqual(['Two']);
    expect(error).toBeInstanceOf(Error);
  });

  test('a stop: aborting the signal cancels the request, and the server sees it close', async () => {
    server.answer((response) => {
      startSse(response);
      sse(response, openAiChunk('Two')); // and then nothing: a slow model
    });
    const controller = new AbortController();
    const { chunks } = await collect(model().stream(messages, { signal: controller.signal }), () =>
      controller.abort(),
    );
    expect(chunks).toEqual(['Two']);
    const request = server.requests.at(-1)!;
    await until(() => request.closed, 'the server to see the request cancelled');
  });
});

describe('anthropicModel (Messages API events)', () => {
  const model = (): ChatModel =>
    anthropicModel({
      baseURL: server.url,
      apiKey: 'sk-ant-test',
      model: 'test-model',
      maxTokens: 256,
      maxRetries: 0,
    });

  test('streams the text deltas in order, from message_start to message_stop', async () => {
    server.answer((response) => {
      startSse(response);
      anthropicStart(response);
      for (const text of ['Two', ' plus two', ' is four.']) anthropicDelta(response, text);
      anthropicEnd(response);
    });
    const { chunks, error } = await collect(model().stream(messages));
    expect(error).toBeUndefined();
    expect(chunks).toEqual(['Two', ' plus two', ' is four.']);
    const request = server.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/messages' });
    // This SDK version sends the key as a Bearer token (older ones as x-api-key).
    expect(`${request.headers['x-api-key'] ?? ''} ${request.headers.authorization ?? ''}`).toContain(
      'sk-ant-test',
    );
    expect(request.headers['anthropic-version']).toBeTruthy();
    expect(request.body).toMatchObject({
      model: 'test-model',
      max_tokens: 256,
      stream: true,
      system: 'Be brief.',
      messages: messages.slice(1),
    });
  });

  test('event: error mid-stream is thrown after the deltas before it', async () => {
    server.answer((response) => {
      startSse(response);
      anthropicStart(response);
      anthropicDelta(response, 'Two');
      sse(response, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error');
      response.end();
    });
    const { chunks, error } = await collect(model().stream(messages));
    expect(chunks).toEqual(['Two']);
    expect(String(error)).toMatch(/Overloaded/);
  });

  test('a stop: aborting the signal cancels the request, and the server sees it close', async () => {
    server.answer((response) => {
      startSse(response);
      anthropicStart(response);
      anthropicDelta(response, 'Two'); // and then nothing: a slow model
    });
    const controller = new AbortController();
    const { chunks } = await collect(model().stream(messages, { signal: controller.signal }), () =>
      controller.abort(),
    );
    expect(chunks).toEqual(['Two']);
    const request = server.requests.at(-1)!;
    await until(() => request.closed, 'the server to see the request cancelled');
  });

  test('context: system turns apart, one role per turn, starting with the user', () => {
    expect(
      toAnthropic([
        { role: 'assistant', content: 'Welcome.' },
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Alice: hi' },
        { role: 'user', content: 'Bob: hello' },
        { role: 'assistant', content: 'Hi both.' },
      ]),
    ).toEqual({
      system: 'Be brief.',
      turns: [
        { role: 'user', content: 'Alice: hi\n\nBob: hello' },
        { role: 'assistant', content: 'Hi both.' },
      ],
    });
  });
});
