import { afterEach, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { ChatClient } from '../src/index';
import { ALICE, CONVERSATION, joinedFrame, message } from './support/messages';
import { ScriptedServer } from './support/scripted-server';
import { until } from './support/fixtures';

/*
 * Where a resume starts, against a scripted `ws` peer (real sockets). With several
 * server processes a `message_ack` is sent as soon as the send commits, while an
 * earlier message from another process still travels through the broker: the ack
 * can arrive first. If the socket is lost then, a resume from the ack's seq would
 * skip the earlier message for good (the rolling-restart fault test caught a client
 * missing one message this way). The resume must start where the stream reached.
 */

const servers: ScriptedServer[] = [];
const clients: ChatClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.stop();
  for (const server of servers.splice(0)) await server.close();
});

test('an ack that overtook an earlier message does not move the resume: the next join asks for both', async () => {
  const history = [message(66), message(67)];
  const missed = message(68);
  const server = await ScriptedServer.start({
    expiresAt: null,
    onFrame: (socket, frame, connection) => {
      if (frame.type === 'join_conversation') {
        const reply =
          connection === 0
            ? joinedFrame(history, 67)
            : joinedFrame([missed, ownAt69(String(sentClientId()))], 69);
        socket.send(JSON.stringify({ ...reply, ref: frame.ref }));
      }
      if (frame.type === 'send_message' && connection === 0) {
        // Committed at 69; Bob's 68 has not reached this process yet, and then the process goes.
        const ack = {
          type: 'message_ack',
          client_id: frame.client_id,
          message: ownAt69(String(frame.client_id)),
        };
        socket.send(JSON.stringify(ack));
        setTimeout(() => socket.terminate(), 20);
      }
    },
  });
  servers.push(server);
  const client = new ChatClient({
    url: server.url,
    apiKey: 'chat_ak_scripted-test-key',
    WebSocket,
    backoff: { initialMs: 20, maxMs: 100 },
  });
  clients.push(client);
  const view = () => client.getConversation(CONVERSATION);
  const sentClientId = () => server.received.find((frame) => frame.type === 'send_message')?.client_id;

  client.start();
  client.join(CONVERSATION);
  await until(() => view().joined, 'joined');
  client.send(CONVERSATION, 'mine');
  await until(() => view().messages.some((m) => m.seq === 69), 'the ack held');
  expect(view().pending).toEqual([]);

  await until(() => server.connections.length === 2 && view().joined, 'joined again on a new socket');
  const joins = server.received.filter((frame) => frame.type === 'join_conversation');
  expect(joins.at(-1)).toMatchObject({ since_seq: 67 });
  expect(view().messages.map((m) => m.seq)).toEqual([66, 67, 68, 69]);
});

function ownAt69(clientId: string) {
  return message(69, { sender_id: ALICE, client_id: clientId, body: 'mine' });
}
