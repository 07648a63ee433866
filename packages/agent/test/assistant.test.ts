import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { ChatClient } from '@chat/client';
import { createConversation } from '@chat/testkit';
import { obtainAgentKey } from '../src/cli/agent-key';
import { startAssistant } from '../src/cli/assistant';
import { ConfigError, readConfig } from '../src/cli/config';
import { modelFromConfig } from '../src/cli/model-from-config';
import { startChatServer } from './support/chat-server';
import type { TestChatServer } from './support/chat-server';
import { ModelServer, openAiChunk, sse, startSse } from './support/model-server';
import { until } from './support/until';

/*
 * `npm run agent`'s parts against the real chat server (its embedded auth for the owner's
 * sign-in) and a loopback OpenAI-compatible model: the key created, saved and reused, or
 * replaced; and the assistant answering a person in a conversation it was added to.
 */

let chat: TestChatServer;
let models: ModelServer;
let dir: string;

beforeAll(async () => {
  [chat, models] = await Promise.all([startChatServer(), ModelServer.start()]);
  dir = mkdtempSync(join(tmpdir(), 'chat-agent-cli-'));
});
afterAll(async () => {
  await Promise.all([chat.dispose(), models.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const PASSWORD = 'a long test password 42';

/** An owner with a password in the embedded auth; returns the session's access token. */
async function signUp(email: string): Promise<string> {
  const response = await fetch(`${chat.server.url}/auth/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, data: { display_name: 'Olga' } }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`sign-up failed: ${response.status}`);
  return body.access_token;
}

function env(values: Record<string, string>): NodeJS.ProcessEnv {
  return {
    CHAT_URL: chat.server.url,
    AGENT_MODEL_NAME: 'test-model',
    AGENT_MODEL_URL: `${models.url}/v1`,
    ...values,
  };
}

describe('npm run agent: the key', () => {
  test('created for the owner and saved (mode 600), reused from the file, replaced when the file is gone', async () => {
    const email = `olga.${Date.now()}@example.test`;
    const ownerToken = await signUp(email);
    const keyFile = join(dir, 'olga', 'agent.key');
    const config = readConfig(
      env({
        AGENT_OWNER_EMAIL: email,
        AGENT_OWNER_PASSWORD: PASSWORD,
        AGENT_NAME: 'Olga bot',
        AGENT_KEY_FILE: keyFile,
      }),
    );

    const created = await obtainAgentKey(config);
    expect(created.source).toBe('created');
    expect(created.apiKey.startsWith('chat_ak_')).toBe(true);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(created.apiKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    expect(await obtainAgentKey(config)).toEqual({ apiKey: created.apiKey, source: 'key file' });

    rmSync(keyFile);
    const rotated = await obtainAgentKey(config);
    expect(rotated.source).toBe('rotated');
    expect(rotated.apiKey).not.toBe(created.apiKey);
    const owner = new ChatClient({ url: chat.server.wsUrl, getToken: async () => ownerToken, WebSocket });
    expect((await owner.listAgents()).map((agent) => agent.display_name)).toEqual(['Olga bot']);
  });

  test('AGENT_API_KEY is used as given; without any way to a key the start says what to set', async () => {
    const given = readConfig(env({ AGENT_API_KEY: 'chat_ak_given', AGENT_KEY_FILE: join(dir, 'none.key') }));
    expect(await obtainAgentKey(given)).toEqual({ apiKey: 'chat_ak_given', source: 'environment' });
    const nothing = readConfig(env({ AGENT_KEY_FILE: join(dir, 'none.key') }));
    await expect(obtainAgentKey(nothing)).rejects.toThrow(/AGENT_OWNER_EMAIL/);
  });

  test('a wrong password is said plainly', async () => {
    const email = `olga.${Date.now()}.b@example.test`;
    await signUp(email);
    const config = readConfig(
      env({
        AGENT_OWNER_EMAIL: email,
        AGENT_OWNER_PASSWORD: 'not the password',
        AGENT_KEY_FILE: join(dir, 'x.key'),
      }),
    );
    await expect(obtainAgentKey(config)).rejects.toBeInstanceOf(ConfigError);
  });

  test('settings are checked at start, naming the variable', () => {
    expect(() => readConfig({})).toThrow(/AGENT_MODEL_NAME/);
    expect(() => readConfig(env({ AGENT_PROVIDER: 'other' }))).toThrow(/AGENT_PROVIDER/);
    expect(() => readConfig(env({ AGENT_MAX_TOKENS: 'many' }))).toThrow(/AGENT_MAX_TOKENS/);
    expect(() => readConfig(env({ AGENT_OWNER_EMAIL: 'a@b.c' }))).toThrow(/AGENT_OWNER_PASSWORD/);
    expect(() => modelFromConfig(readConfig(env({ AGENT_PROVIDER: 'anthropic' })))).toThrow(
      /AGENT_MODEL_API_KEY/,
    );
    expect(() => modelFromConfig(readConfig({ AGENT_MODEL_NAME: 'gpt' }))).toThrow(/AGENT_MODEL_API_KEY/);
  });
});

describe('npm run agent: the assistant', () => {
  test('answers a person in a conversation it is added to, streaming the model with the system prompt', async () => {
    models.answer((response) => {
      startSse(response);
      sse(response, openAiChunk('Hello'));
      sse(response, openAiChunk(', Olga.'));
      sse(response, '[DONE]');
      response.end();
    });
    const email = `olga.${Date.now()}.c@example.test`;
    const ownerToken = await signUp(email);
    const config = readConfig(
      env({
        AGENT_OWNER_EMAIL: email,
        AGENT_OWNER_PASSWORD: PASSWORD,
        AGENT_NAME: 'Greeter',
        AGENT_KEY_FILE: join(dir, 'greeter.key'),
        AGENT_SYSTEM_PROMPT: 'Greet people.',
      }),
    );
    const { apiKey } = await obtainAgentKey(config);
    const lines: string[] = [];
    const assistant = startAssistant({
      chatUrl: config.chatUrl,
      apiKey,
      model: modelFromConfig(config),
      systemPrompt: config.systemPrompt,
      historyLimit: config.historyLimit,
      WebSocket,
      log: (line) => lines.push(line),
    });
    const owner = new ChatClient({
      url: chat.server.wsUrl,
      getToken: async () => ownerToken,
      WebSocket,
      pageVisibility: null,
    });
    try {
      await until(() => assistant.client.status === 'open', 'the assistant connected');
      const agentId = assistant.user!.id;
      const conversation = await createConversation(chat.server, { token: ownerToken }, [{ id: agentId }]);
      owner.start();
      owner.join(conversation.id);
      await until(() => owner.getConversation(conversation.id).joined, 'the owner joined');
      owner.send(conversation.id, 'Hi!');
      const answer = () =>
        owner.getConversation(conversation.id).messages.find((message) => message.sender_id === agentId);
      await until(() => answer()?.state === 'complete', 'the answer');
      expect(answer()?.body).toBe('Hello, Olga.');
      expect(models.requests.at(-1)?.body.messages).toEqual([
        { role: 'system', content: 'Greet people.' },
        { role: 'user', content: 'Hi!' },
      ]);
      expect(lines.some((line) => line.includes('complete'))).toBe(true);
    } finally {
      owner.stop();
      assistant.stop();
    }
  });
});
