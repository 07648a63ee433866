import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The ceiling: a trivial broadcast server on the raw `ws` library, run as its own
 * process. It answers the frames the fan-out load sends with the same shapes the
 * chat server uses (authenticated, joined, message_ack, message with a per-room
 * seq) and does the least any chat server must: parse each frame, serialise each
 * message once, send it to every socket in the room. No validation, no auth, no
 * storage. `PORT=0 HOST=127.0.0.1 node --import tsx bench/src/bare-ws-server.ts`
 */
interface Room {
  seq: number;
  sockets: Set<WebSocket>;
}

interface BareFrame {
  type: string;
  conversation_id?: string;
  client_id?: string;
  body?: string;
}

const rooms = new Map<string, Room>();
const userId = randomUUID();

function room(id: string): Room {
  let found = rooms.get(id);
  if (!found) {
    found = { seq: 0, sockets: new Set() };
    rooms.set(id, found);
  }
  return found;
}

const wss = new WebSocketServer({
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  path: '/ws',
  maxPayload: 64 * 1024,
  perMessageDeflate: false,
  clientTracking: false,
});

wss.on('connection', (socket) => {
  const joined = new Set<Room>();
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as BareFrame;
    const conversationId = frame.conversation_id ?? '';
    switch (frame.type) {
      case 'authenticate':
        socket.send(
          JSON.stringify({
            type: 'authenticated',
            user: { id: userId, email: 'bare@bench.invalid', display_name: 'bare' },
            expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          }),
        );
        return;
      case 'join_conversation': {
        const target = room(conversationId);
        target.sockets.add(socket);
        joined.add(target);
        socket.send(
          JSON.stringify({
            type: 'joined',
            conversation_id: conversationId,
            last_seq: target.seq,
            members: [],
            messages: [],
            has_more: false,
          }),
        );
        return;
      }
      case 'send_message': {
        const target = room(conversationId);
        const seq = ++target.seq;
        const message = {
          id: randomUUID(),
          conversation_id: conversationId,
          seq,
          updated_seq: seq,
          sender_id: userId,
          client_id: frame.client_id,
          body: frame.body,
          reply_to: null,
          created_at: new Date().toISOString(),
          edited_at: null,
          deleted_at: null,
          reactions: {},
        };
        socket.send(JSON.stringify({ type: 'message_ack', client_id: frame.client_id, message }));
        const broadcast = JSON.stringify({ type: 'message', message });
        for (const member of target.sockets) member.send(broadcast);
        return;
      }
      default:
        return;
    }
  });
  socket.on('close', () => {
    for (const target of joined) target.sockets.delete(socket);
  });
  socket.on('error', () => {});
});

wss.on('listening', () => {
  const address = wss.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`Bare ws running at ws://127.0.0.1:${port}/ws\n`);
});

process.on('SIGTERM', () => {
  wss.close();
  process.exit(0);
});
