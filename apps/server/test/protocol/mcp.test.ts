import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '@chat/protocol';
import { createAgent, type TestAgent } from '../support/agents';
import { api, createConversation } from '../support/fixtures';
import { frameOf, sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';

// docs/protocol.md section 14, "MCP": /mcp serves the Model Context Protocol
// (Streamable HTTP) to agents with their API key. The client here is the MCP
// SDK's own Client and StreamableHTTPClientTransport against the real server.

describe('PROTOCOL 14: MCP at /mcp', () => {
  const cast = useProtocolServer();
  const clients: Client[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
  });

  async function connect(bearer: string | null): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', cast.server.url), {
      requestInit: { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} },
    });
    const client = new Client({ name: 'chat-test', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  /** Alice's agent in a conversation with her (her socket joined), and a conversation of Bob's it is not in. */
  async function setting(): Promise<{ agent: TestAgent; mine: Conversation; others: Conversation }> {
    const agent = await createAgent(cast.server, cast.alice, { display_name: 'MCP Bot' });
    const mine = await createConversation(cast.server, cast.alice, [agent.agent]);
    const others = await createConversation(cast.server, cast.bob, [cast.carol]);
    return { agent, mine, others };
  }

  async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    const [content] = result.content;
    const text = content?.type === 'text' ? content.text : '';
    return {
      isError: result.isError === true,
      text,
      json: () => JSON.parse(text) as Record<string, unknown>,
    };
  }

  it('mcp: an agent lists the tools, its conversations, reads, searches and sends; members see the send live', async () => {
    const { agent, mine, others } = await setting();
    const { socket } = await cast.sockets.join(cast.alice, mine.id);
    const first = await sendMessage(socket, mine.id, 'the quarterly numbers are in');
    const client = await connect(agent.apiKey);

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'list_conversations',
      'read_messages',
      'search_messages',
      'send_message',
    ]);

    const listed = await call(client, 'list_conversations');
    const ids = (listed.json().conversations as Conversation[]).map((c) => c.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(others.id);

    const read = await call(client, 'read_messages', { conversation_id: mine.id });
    expect(read.isError).toBe(false);
    expect(read.json()).toEqual({ messages: [first], has_more: false });

    const found = await call(client, 'search_messages', { q: 'quarterly numb' });
    expect((found.json().results as Array<{ message: Message }>).map((r) => r.message.id)).toEqual([
      first.id,
    ]);

    const sent = await call(client, 'send_message', {
      conversation_id: mine.id,
      body: 'On it.',
      reply_to: first.id,
    });
    expect(sent.isError).toBe(false);
    const message = sent.json().message as Message;
    expect(message).toMatchObject({
      conversation_id: mine.id,
      sender_id: agent.agent.id,
      body: 'On it.',
      reply_to: first.id,
      seq: first.seq + 1,
      state: 'complete',
    });
    const live = await socket.next('message', (f) => f.type === 'message' && f.message.id === message.id);
    expect(frameOf(live, 'message').message).toEqual(message);

    const again = await call(client, 'send_message', { conversation_id: mine.id, body: 'And again.' });
    expect((again.json().message as Message).seq).toBe(first.seq + 2);
  });

  it('mcp: a conversation the agent is not in is a tool error with the reason, not a failed request', async () => {
    const { agent, others } = await setting();
    const client = await connect(agent.apiKey);
    for (const [name, args] of [
      ['read_messages', { conversation_id: others.id }],
      ['send_message', { conversation_id: others.id, body: 'hi' }],
    ] as const) {
      const result = await call(client, name, args);
      expect(result.isError, name).toBe(true);
      expect(result.text, name).toMatch(/^(forbidden|not_found): /);
    }
    const history = await api(cast.server, cast.bob.token, 'GET', `/api/conversations/${others.id}/messages`);
    expect(((await history.json()) as { messages: Message[] }).messages).toEqual([]);
    // The session goes on.
    expect((await call(client, 'list_conversations')).isError).toBe(false);
  });

  it('mcp: a bad body or an empty search is a tool error', async () => {
    const { agent, mine } = await setting();
    const client = await connect(agent.apiKey);
    expect((await call(client, 'send_message', { conversation_id: mine.id, body: '   ' })).isError).toBe(
      true,
    );
    expect((await call(client, 'search_messages', { q: '?!' })).isError).toBe(true);
  });

  it('mcp: without a valid key 401 (JSON), with a person’s token 403', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const post = (authorization: string | null) =>
      fetch(new URL('/mcp', cast.server.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify(initialize),
      });
    for (const authorization of [null, 'Bearer chat_ak_not-a-real-key', 'Bearer nonsense']) {
      const response = await post(authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    const person = await post(`Bearer ${cast.alice.token}`);
    expect(person.status).toBe(403);
    await expect(connect(null)).rejects.toThrow();
  });

  it('mcp: stateless, so GET (a server-sent stream) and DELETE (a session) are 405', async () => {
    const { agent } = await setting();
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(new URL('/mcp', cast.server.url), {
        method,
        headers: { authorization: `Bearer ${agent.apiKey}`, accept: 'text/event-stream' },
      });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });
});
