import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { ChatClient } from '@chat/client';
import type { Message } from '@chat/protocol';
import { createConversation, createUser } from '@chat/testkit';
import type { TestUser } from '@chat/testkit';
import { Agent, anthropicModel, openAiCompatibleModel } from '../src/index';
import type { ChatModel, MessageHandler, StreamResult } from '../src/index';
import { startChatServer } from './support/chat-server';
import type { TestChatServer } from './support/chat-server';
import {
  ModelServer,
  anthropicDelta,
  anthropicStart,
  openAiChunk,
  sse,
  startSse,
} from './support/model-server';
import { until } from './support/until';

/*
 * The SDK end to end: the real chat server, a person's ChatClient, an Agent on its API key, and
 * a loopback model provider. A person asks, the agent streams the model's answer (the person
 * sees `message_stream`, then the `completed` message); a stop from the person cancels the
 * model's request and ends the answer `stopped` with the text so far.
 */

const FAST_BACKOFF = { initialMs: 20, maxMs: 250, stableAfterMs: 60_000, floodPauseMs: 500 };

let chat: TestChatServer;
let models: ModelServer;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  [chat, models] = await Promise.all([startChatServer(), ModelServer.start()]);
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
afterAll(async () => {
  await Promise.all([chat.dispose(), models.close()]);
});

function personClient(user: TestUser): ChatClient {
  const client = new ChatClient({
    url: chat.server.wsUrl,
    getToken: async () => user.token,
    WebSocket,
    backoff: FAST_BACKOFF,
    pageVisibility: null,
  });
  cleanups.push(() => client.stop());
  return client;
}

function openAi(): ChatModel {
  return openAiCompatibleModel({ baseURL: `${models.url}/v1`, model: 'test-model', maxRetries: 0 });
}

/** A handler that streams the model's answer to the conversation so far, and records how it ended. */
function streamingHandler(model: ChatModel, results: StreamResult[]): MessageHandler {
  return async (_message, ctx) => {
    ctx.status('thinking');
    const history = ctx.history();
    results.push(await ctx.stream((signal) => model.stream(history, { signal })));
  };
}

/**
 * Alice, her agent (started, with `handler`), and their 1:1 joined by Alice's client. The 1:1
 * is made before the agent starts: what is in it then is history.
 */
async function aliceAskingHerAgent(handler: MessageHandler, before?: string) {
  const alice = await createUser(chat.server, 'Alice');
  const person = personClient(alice);
  const created = await person.createAgent({ display_name: 'Helper' });
  const conversation = await createConversation(chat.server, alice, [{ id: created.agent.id }]);
  person.start();
  person.join(conversation.id);
  await until(() => person.getConversation(conversation.id).joined, 'Alice joined');
  if (before) {
    person.send(conversation.id, before);
    await until(() => person.getConversation(conversation.id).messages.length === 1, 'the earlier message');
  }
  const agent = new Agent({
    url: chat.server.url,
    apiKey: created.api_key,
    WebSocket,
    client: { backoff: FAST_BACKOFF },
  });
  agent.onMessage(handler);
  cleanups.push(() => agent.stop());
  agent.start();
  await until(() => agent.client.getConversation(conversation.id).joined, 'the agent joined');
  return { alice, person, agent, agentId: created.agent.id, conversationId: conversation.id };
}

/** The gate a scripted model waits at, opened by the test. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

function answerOf(person: ChatClient, conversationId: string, agentId: string): Message | undefined {
  return person.getConversation(conversationId).messages.find((message) => message.sender_id === agentId);
}

describe('Agent: a person asks, the agent streams the model’s answer', () => {
  test('the person sees message_stream with the text so far, then the completed message', async () => {
    const rest = gate();
    models.answer(async (response) => {
      startSse(response);
      sse(response, openAiChunk('Two'));
      await rest.wait;
      sse(response, openAiChunk(' plus two'));
      sse(response, openAiChunk(' is four.'));
      sse(response, '[DONE]');
      response.end();
    });
    const results: StreamResult[] = [];
    const { person, agentId, conversationId } = await aliceAskingHerAgent(
      streamingHandler(openAi(), results),
    );
    const requestsBefore = models.requests.length;
    person.send(conversationId, 'What is 2+2?');

    await until(() => {
      const answer = answerOf(person, conversationId, agentId);
      return answer !== undefined && person.getConversation(conversationId).streams[answer.id] === 'Two';
    }, 'the relayed text so far');
    expect(answerOf(person, conversationId, agentId)?.state).toBe('streaming');
    rest.open();
    await until(
      () => answerOf(person, conversationId, agentId)?.state === 'complete',
      'the completed answer',
    );
    expect(answerOf(person, conversationId, agentId)?.body).toBe('Two plus two is four.');
    expect(person.getConversation(conversationId).streams).toEqual({});
    expect(results.map((result) => result.state)).toEqual(['complete']);
    const question = person.getConversation(conversationId).messages[0]!;
    await until(
      () =>
        person.getConversation(conversationId).members.find((m) => m.user_id === agentId)?.read_seq ===
        question.seq,
      'the question marked read by the agent',
    );
    expect(models.requests.slice(requestsBefore).map((request) => request.body.messages)).toEqual([
      [{ role: 'user', content: 'What is 2+2?' }],
    ]);
  });

  test('a stop from the person cancels the model’s request and ends the answer stopped with the partial text', async () => {
    models.answer((response) => {
      startSse(response);
      sse(response, openAiChunk('Once upon a time')); // and then nothing: a slow model
    });
    const results: StreamResult[] = [];
    const { person, agentId, conversationId } = await aliceAskingHerAgent(
      streamingHandler(openAi(), results),
    );
    person.send(conversationId, 'Tell me a long story');
    let answerId = '';
    await until(() => {
      answerId = answerOf(person, conversationId, agentId)?.id ?? '';
      return person.getConversation(conversationId).streams[answerId] === 'Once upon a time';
    }, 'the story so far');
    const request = models.requests.at(-1)!;

    await person.stopStream(answerId);
    await until(() => answerOf(person, conversationId, agentId)?.state === 'stopped', 'the stopped answer');
    expect(answerOf(person, conversationId, agentId)?.body).toBe('Once upon a time');
    await until(() => request.closed, 'the model request cancelled');
    expect(results.map((result) => result.state)).toEqual(['stopped']);
  });

  test('a model error mid-stream ends the answer stopped, with the partial text and a note', async () => {
    models.answer((response) => {
      startSse(response);
      anthropicStart(response);
      anthropicDelta(response, 'Two');
      sse(response, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error');
      response.end();
    });
    const model = anthropicModel({
      baseURL: models.url,
      apiKey: 'sk-ant-test',
      model: 'test-model',
      maxRetries: 0,
    });
    const results: StreamResult[] = [];
    const { person, agentId, conversationId } = await aliceAskingHerAgent(streamingHandler(model, results));
    person.send(conversationId, 'What is 2+2?');
    await until(() => answerOf(person, conversationId, agentId)?.state === 'stopped', 'the stopped answer');
    const body = answerOf(person, conversationId, agentId)?.body ?? '';
    expect(body.startsWith('Two\n\n(The answer stopped early:')).toBe(true);
    expect(body).toMatch(/Overloaded/);
    expect(results[0]).toMatchObject({ state: 'stopped' });
  });
});

describe('Agent: how a streamed answer ends', () => {
  test('the caller’s signal stops it, without waiting for a source that ignores the signal', async () => {
    const caller = new AbortController();
    const results: StreamResult[] = [];
    async function* deaf(): AsyncIterable<string> {
      yield 'Thinking about it';
      await new Promise<never>(() => undefined); // never another chunk
    }
    const { person, agentId, conversationId } = await aliceAskingHerAgent(async (_message, ctx) => {
      results.push(await ctx.stream(deaf(), { signal: caller.signal }));
    });
    person.send(conversationId, 'Well?');
    await until(() => {
      const answer = answerOf(person, conversationId, agentId);
      return (
        answer !== undefined &&
        person.getConversation(conversationId).streams[answer.id] === 'Thinking about it'
      );
    }, 'the first chunk relayed');
    caller.abort();
    await until(() => answerOf(person, conversationId, agentId)?.state === 'stopped', 'stopped');
    expect(answerOf(person, conversationId, agentId)?.body).toBe('Thinking about it');
    expect(results.map((result) => result.state)).toEqual(['stopped']);
  });

  test('text past 16,000 code points is cut there and ended stopped', async () => {
    const results: StreamResult[] = [];
    async function* endless(): AsyncIterable<string> {
      for (;;) yield 'é'.repeat(1_000);
    }
    const { person, agentId, conversationId } = await aliceAskingHerAgent(async (_message, ctx) => {
      results.push(await ctx.stream(endless()));
    });
    person.send(conversationId, 'Say a lot');
    await until(() => answerOf(person, conversationId, agentId)?.state === 'stopped', 'stopped at the cap');
    expect([...(answerOf(person, conversationId, agentId)?.body ?? '')]).toHaveLength(16_000);
    expect(results[0]?.state).toBe('stopped');
  });

  test('a lost connection leaves it to the server, which ends it interrupted; the model request is cancelled', async () => {
    models.answer((response) => {
      startSse(response);
      sse(response, openAiChunk('Half an answer')); // and then nothing
    });
    const results: StreamResult[] = [];
    const { person, agent, agentId, conversationId } = await aliceAskingHerAgent(
      streamingHandler(openAi(), results),
    );
    person.send(conversationId, 'Go on');
    await until(() => {
      const answer = answerOf(person, conversationId, agentId);
      return (
        answer !== undefined && person.getConversation(conversationId).streams[answer.id] === 'Half an answer'
      );
    }, 'the relay');
    const request = models.requests.at(-1)!;
    agent.client.stop();
    await until(() => answerOf(person, conversationId, agentId)?.state === 'interrupted', 'interrupted');
    await until(() => results.length === 1, 'the handler done');
    expect(results[0]?.state).toBe('interrupted');
    await until(() => request.closed, 'the model request cancelled');
  });
});

describe('Agent: which messages it answers', () => {
  test('not history nor its own; in a group it was just added to, the first question, with names', async () => {
    const asked: Message[] = [];
    const contexts: unknown[] = [];
    const handler: MessageHandler = async (message, ctx) => {
      asked.push(message);
      contexts.push(ctx.history());
      await ctx.reply(`You said: ${message.body}`);
    };
    const { alice, person, agentId, conversationId } = await aliceAskingHerAgent(
      handler,
      'asked before it started',
    );
    person.send(conversationId, 'hello');
    await until(() => answerOf(person, conversationId, agentId)?.body === 'You said: hello', 'the reply');
    expect(asked.map((message) => message.body)).toEqual(['hello']);

    const bob = await createUser(chat.server, 'Bob');
    const group = await createConversation(chat.server, alice, [bob, { id: agentId }], 'Team');
    person.join(group.id);
    await until(() => person.getConversation(group.id).joined, 'Alice joined the group');
    person.send(group.id, 'hi all');
    await until(
      () => answerOf(person, group.id, agentId)?.body === 'You said: hi all',
      'the reply in the group',
    );
    expect(asked.map((message) => message.body)).toEqual(['hello', 'hi all']);
    expect(contexts[1]).toEqual([{ role: 'user', content: 'Alice: hi all' }]);
  });

  test('not other agents (two agents would answer each other for ever)', async () => {
    const asked: string[] = [];
    const { alice, person, agentId } = await aliceAskingHerAgent(async (message, ctx) => {
      asked.push(message.body);
      await ctx.reply(`You said: ${message.body}`);
    });
    const other = await person.createAgent({ display_name: 'Other bot' });
    const group = await createConversation(
      chat.server,
      alice,
      [{ id: agentId }, { id: other.agent.id }],
      'Bots',
    );
    const otherClient = new ChatClient({
      url: chat.server.wsUrl,
      apiKey: other.api_key,
      WebSocket,
      backoff: FAST_BACKOFF,
    });
    cleanups.push(() => otherClient.stop());
    otherClient.start();
    otherClient.join(group.id);
    person.join(group.id);
    await until(
      () => otherClient.getConversation(group.id).joined && person.getConversation(group.id).joined,
      'both joined the group',
    );
    otherClient.send(group.id, 'I am a bot');
    await until(
      () => person.getConversation(group.id).messages.some((m) => m.body === 'I am a bot'),
      'the bot',
    );
    person.send(group.id, 'and I am Alice');
    await until(() => answerOf(person, group.id, agentId)?.body === 'You said: and I am Alice', 'the reply');
    expect(asked).toEqual(['and I am Alice']);
  });

  test('a message that arrived while it was disconnected is answered after the resume', async () => {
    const asked: string[] = [];
    const { person, agent, agentId, conversationId } = await aliceAskingHerAgent(async (message, ctx) => {
      asked.push(message.body);
      await ctx.reply(`You said: ${message.body}`);
    });
    agent.client.stop();
    person.send(conversationId, 'are you there?');
    await until(() => person.getConversation(conversationId).pending.length === 0, 'sent while it was away');
    agent.client.start();
    await until(
      () => answerOf(person, conversationId, agentId)?.body === 'You said: are you there?',
      'the reply',
    );
    expect(asked).toEqual(['are you there?']);
  });
});
