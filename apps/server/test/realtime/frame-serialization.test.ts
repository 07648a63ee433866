import { describe, expect, it } from 'vitest';
import type { ChatServer } from '../../src/index';
import { createConversation } from '../support/fixtures';
import { broadcastMessages, sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';

// Issue 13: a message is serialised once for every recipient, not once per socket.
// The counter is process-wide: the test reads it just before and after one send, nothing else running.

const cast = useProtocolServer();
const { sockets } = cast;

async function counted(server: ChatServer): Promise<{ serialized: number; messagesOut: number }> {
  const serialized = (await server.metrics.framesSerialized.get()).values[0]?.value ?? 0;
  const out = await server.metrics.registry.getSingleMetric('chat_frames_out_total')?.get();
  const messagesOut = out?.values.find((sample) => sample.labels.type === 'message')?.value ?? 0;
  return { serialized, messagesOut };
}

describe('frame serialisation (issue 13)', () => {
  it('a message to a conversation with several joined connections is serialised once, plus its ack', async () => {
    const conversation = await createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);
    const sender = await sockets.join(cast.alice, conversation.id);
    const receivers = await Promise.all([
      sockets.join(cast.bob, conversation.id),
      sockets.join(cast.bob, conversation.id),
      sockets.join(cast.carol, conversation.id),
    ]);
    const before = await counted(cast.server);

    const sent = await sendMessage(sender.socket, conversation.id, 'to everyone');
    for (const { socket } of [sender, ...receivers]) {
      await socket.waitFor((frame) => frame.type === 'message' && frame.message.id === sent.id);
    }
    const after = await counted(cast.server);

    expect(after.messagesOut - before.messagesOut).toBe(4);
    // One text for the four `message` frames, one for the sender's `message_ack`.
    expect(after.serialized - before.serialized).toBe(2);
    expect(broadcastMessages(receivers[0]!.socket).map((message) => message.id)).toEqual([sent.id]);
  });
});
