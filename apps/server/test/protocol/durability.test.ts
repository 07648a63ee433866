import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@chat/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../../src/index';
import { api, connectAs, createConversation, createUser, newClientId } from '../support/fixtures';
import { startServerProcess, type ServerProcess } from '../support/server-process';

/** The fixtures take a ChatServer; a process offers the same two URLs. */
const asServer = (process: ServerProcess) => ({ url: process.url, wsUrl: process.wsUrl }) as ChatServer;

async function allMessages(server: ChatServer, token: string, conversationId: string): Promise<Message[]> {
  const messages: Message[] = [];
  let before: number | undefined;
  for (;;) {
    const query = before === undefined ? 'limit=100' : `limit=100&before_seq=${before}`;
    const response = await api(
      server,
      token,
      'GET',
      `/api/conversations/${conversationId}/messages?${query}`,
    );
    const page = (await response.json()) as { messages: Message[]; has_more: boolean };
    messages.unshift(...page.messages);
    if (!page.has_more || page.messages.length === 0) return messages;
    before = page.messages[0]?.seq;
  }
}

describe('durability', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-durability-'));
  const processes: ServerProcess[] = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('durability: after kill -9, every acked message is there with its id and seq, and the next gets the next seq', async () => {
    const env = { DATA_DIR: dataDir, RATE_LIMIT_MESSAGES_PER_SEC: '10000', RATE_LIMIT_BURST: '10000' };
    const first = await startServerProcess(env);
    processes.push(first);
    const server = asServer(first);
    const alice = await createUser(server, 'Alice');
    const bob = await createUser(server, 'Bob');
    const conversation = await createConversation(server, alice, [bob]);
    const socket = await connectAs(server, alice);

    // A storm of sends; kill -9 while acks are still arriving.
    for (let index = 0; index < 2000; index++) {
      socket.send({
        type: 'send_message',
        conversation_id: conversation.id,
        client_id: newClientId(),
        body: `message ${index}`,
      });
    }
    await socket.collect('message_ack', 200, 20_000);
    await first.kill('SIGKILL');
    await socket.waitForClose();
    const acked = socket.ofType('message_ack').map((ack) => ack.message);
    expect(acked.length).toBeGreaterThanOrEqual(200);

    const second = await startServerProcess(env);
    processes.push(second);
    const restarted = asServer(second);
    const stored = await allMessages(restarted, alice.token, conversation.id);
    const storedById = new Map(stored.map((message) => [message.id, message]));
    for (const message of acked) {
      expect(storedById.get(message.id)).toMatchObject({ seq: message.seq, client_id: message.client_id });
    }
    // Gapless from 1, and the next message takes the next value.
    expect(stored.map((message) => message.seq)).toEqual(stored.map((_, index) => index + 1));
    const again = await connectAs(restarted, alice);
    const next = await again.request({
      type: 'send_message',
      conversation_id: conversation.id,
      client_id: newClientId(),
      body: 'after the crash',
    });
    expect(next.type).toBe('message_ack');
    expect((next.message as Message).seq).toBe(stored.length + 1);
    console.log(
      `durability: ${acked.length} acked before kill -9, ${stored.length} stored after restart, lost 0, next seq ${stored.length + 1}`,
    );
    again.close();
    await second.kill('SIGTERM');
  }, 60_000);

  it('shutdown: SIGTERM closes sockets with 1001 and the process exits 0', async () => {
    const proc = await startServerProcess({ DATA_DIR: dataDir });
    processes.push(proc);
    const server = asServer(proc);
    const carol = await createUser(server, 'Carol');
    const socket = await connectAs(server, carol);
    proc.child.kill('SIGTERM');
    expect((await socket.waitForClose()).code).toBe(1001);
    expect(await proc.exited).toBe(0);
  }, 60_000);
});
