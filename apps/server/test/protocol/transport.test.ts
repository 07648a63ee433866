import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAs,
  createConversation,
  createUser,
  joinedSocket,
  newClientId,
  type TestUser,
} from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';
import { TestSocket } from '../support/test-socket';

describe('PROTOCOL 1: transport', () => {
  let harness: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    harness = await startTestServer();
    alice = await createUser(harness.server, 'Alice');
    bob = await createUser(harness.server, 'Bob');
    conversationId = (await createConversation(harness.server, alice, [bob])).id;
  });
  afterAll(() => harness.dispose());

  it('transport: a binary frame gets bad_request and the connection stays open', async () => {
    const socket = await connectAs(harness.server, alice);
    socket.sendRaw(Buffer.from('{"type":"ping"}'), { binary: true });
    const error = await socket.next('error');
    expect(error.code).toBe('bad_request');
    expect((await socket.request({ type: 'ping' })).type).toBe('pong');
    socket.close();
  });

  it('transport: invalid JSON gets bad_request and the connection stays open', async () => {
    const socket = await connectAs(harness.server, alice);
    socket.sendRaw('{"type": "ping"');
    expect((await socket.next('error')).code).toBe('bad_request');
    expect((await socket.request({ type: 'ping' })).type).toBe('pong');
    socket.close();
  });

  it('transport: a frame without a string type, or not an object, gets bad_request', async () => {
    const socket = await connectAs(harness.server, alice);
    for (const raw of ['[]', '42', '"text"', 'null', '{"type":7}', '{}']) socket.sendRaw(raw);
    const errors = await socket.collect('error', 6);
    expect(errors.every((error) => error.code === 'bad_request')).toBe(true);
    expect(socket.closeCode).toBeNull();
    socket.close();
  });

  it('transport: an unknown frame type gets bad_request echoing its ref', async () => {
    const socket = await connectAs(harness.server, alice);
    const reply = await socket.request({ type: 'teleport' });
    expect(reply).toMatchObject({ type: 'error', code: 'bad_request' });
    socket.close();
  });

  it('transport: a frame that fails its schema gets bad_request with its ref, and the socket stays open', async () => {
    const socket = await connectAs(harness.server, alice);
    const reply = await socket.request({ type: 'join_conversation', conversation_id: 'not-a-uuid' });
    expect(reply).toMatchObject({ type: 'error', code: 'bad_request' });
    const wrongTypes = await socket.request({
      type: 'typing',
      conversation_id: conversationId,
      is_typing: 'yes',
    });
    expect(wrongTypes).toMatchObject({ type: 'error', code: 'bad_request' });
    expect((await socket.request({ type: 'ping' })).type).toBe('pong');
    socket.close();
  });

  it('transport: a frame over 64 KiB closes the socket with 1009, other connections unaffected', async () => {
    const bystander = await connectAs(harness.server, bob);
    const socket = await connectAs(harness.server, alice);
    socket.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(64 * 1024) }));
    expect((await socket.waitForClose()).code).toBe(1009);
    expect((await bystander.request({ type: 'ping' })).type).toBe('pong');
    bystander.close();
  });

  it('transport: a frame of just under 64 KiB is accepted', async () => {
    const socket = await connectAs(harness.server, alice);
    const frame = { type: 'ping', ref: 'big', pad: '' };
    frame.pad = 'x'.repeat(64 * 1024 - JSON.stringify(frame).length);
    socket.sendRaw(JSON.stringify(frame));
    expect((await socket.waitFor((f) => f.type === 'pong')).ref).toBe('big');
    socket.close();
  });

  it('ref: a frame with a ref gets exactly one direct reply: the named one, else ack, else error', async () => {
    const { socket } = await joinedSocket(harness.server, alice, conversationId);
    const pong = await socket.request({ type: 'ping' });
    expect(pong.type).toBe('pong');
    const ack = await socket.request({ type: 'typing', conversation_id: conversationId, is_typing: false });
    expect(ack).toEqual({ type: 'ack', ref: ack.ref });
    const sendAck = await socket.request({
      type: 'send_message',
      conversation_id: conversationId,
      client_id: newClientId(),
      body: 'hello',
    });
    expect(sendAck.type).toBe('message_ack');
    const error = await socket.request({ type: 'edit_message', message_id: newClientId(), body: 'x' });
    expect(error).toMatchObject({ type: 'error', code: 'not_found' });
    await socket.settle();
    for (const ref of [pong.ref, ack.ref, sendAck.ref, error.ref]) {
      expect(socket.frames.filter((frame) => 'ref' in frame && frame.ref === ref)).toHaveLength(1);
    }
    socket.close();
  });

  it('ref: without a ref, only the named replies and errors are sent (no ack)', async () => {
    const socket = await connectAs(harness.server, alice);
    socket.send({ type: 'typing', conversation_id: conversationId, is_typing: false });
    socket.send({ type: 'mark_read', conversation_id: conversationId, seq: 0 });
    socket.send({ type: 'ping' });
    await socket.next('pong');
    await socket.settle();
    expect(socket.ofType('ack')).toHaveLength(0);
    socket.close();
  });

  it('ref: a ref longer than 64 characters is refused as bad_request', async () => {
    const socket = await connectAs(harness.server, alice);
    socket.send({ type: 'ping', ref: 'r'.repeat(65) });
    const error = await socket.next('error');
    expect(error.code).toBe('bad_request');
    expect(error.ref).toBeUndefined();
    socket.close();
  });

  it('transport: the WebSocket lives at /ws only', async () => {
    await expect(TestSocket.open(harness.server.wsUrl.replace('/ws', '/elsewhere'))).rejects.toThrow();
  });
});
