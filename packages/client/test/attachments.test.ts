import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ChatError, createMemoryOutbox } from '../src/index';
import type { ChatClient, ChatClientOptions, OutboxStore, PendingMessage } from '../src/index';
import { Clients, recordingWebSocket } from './support/clients';
import { startServer } from './support/chat-server';
import { createConversation, createUser, until } from './support/fixtures';
import type { TestServer } from './support/chat-server';
import type { TestUser } from './support/fixtures';

// ChatClient.upload and sending with files (docs/protocol.md section 11), against a real server
// whose MAX_ATTACHMENT_BYTES is 256 KiB.

const SERVER_MAX = 256 * 1024;
/** A 6 x 4 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAYAAAAECAIAAAAiZtkUAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWM4Y2yMhhjIFQIAUQAcsdydaO8AAAAASUVORK5CYII=',
  'base64',
);
const photo = () => new File([PNG], 'photo.png', { type: 'image/png' });

let server: TestServer;
const clients = new Clients();

beforeAll(async () => {
  server = await startServer({ maxAttachmentBytes: SERVER_MAX });
});
afterEach(() => clients.stopAll());
afterAll(async () => {
  await server.dispose();
});

interface Pair {
  alice: TestUser;
  bob: TestUser;
  a: ChatClient;
  b: ChatClient;
  conversationId: string;
}

async function pair(aOptions: Partial<ChatClientOptions> = {}): Promise<Pair> {
  const alice = await createUser(server.server, 'Alice');
  const bob = await createUser(server.server, 'Bob');
  const conversation = await createConversation(server.server, alice, [bob]);
  const a = clients.make(server, alice, aOptions);
  const b = clients.make(server, bob);
  for (const client of [a, b]) {
    client.start();
    client.join(conversation.id);
  }
  await until(
    () => a.getConversation(conversation.id).joined && b.getConversation(conversation.id).joined,
    'both joined',
  );
  return { alice, bob, a, b, conversationId: conversation.id };
}

async function refusal(promise: Promise<unknown>): Promise<ChatError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ChatError);
  return error as ChatError;
}

describe('upload', () => {
  test('returns the Attachment (type, size and dimensions from the bytes) and reports progress', async () => {
    const { a } = await pair();
    const progress: Array<[number, number]> = [];
    const attachment = await a.upload(photo(), {
      onProgress: (loaded, total) => progress.push([loaded, total]),
    });
    expect(attachment).toMatchObject({ name: 'photo.png', mime_type: 'image/png', width: 6, height: 4 });
    expect(attachment.thumbnail_url).toMatch(/^\/api\/attachments\//);
    expect(progress.at(-1)).toEqual([PNG.length, PNG.length]);
    const named = await a.upload(new Blob(['plain words\n'], { type: 'text/plain' }), { name: 'notes.txt' });
    expect(named).toMatchObject({ name: 'notes.txt', mime_type: 'text/plain', width: null });
  });

  test('too large: over maxUploadBytes refused before sending, over the server limit by its 413', async () => {
    const { a } = await pair({ maxUploadBytes: 1024 });
    const big = new File([new Uint8Array(2048)], 'big.bin');
    const early = await refusal(a.upload(big));
    expect(early.code).toBe('too_large');
    expect(early.retryable).toBe(false);

    const { a: lenient } = await pair({ maxUploadBytes: SERVER_MAX * 4 });
    const late = await refusal(lenient.upload(new File([new Uint8Array(SERVER_MAX + 1)], 'big.bin')));
    expect(late.code).toBe('too_large');
  });

  test('aborted through its signal; offline is `network`, retryable', async () => {
    const { a } = await pair();
    const controller = new AbortController();
    controller.abort();
    expect((await refusal(a.upload(photo(), { signal: controller.signal }))).code).toBe('aborted');

    const alice = await createUser(server.server, 'Offline Alice');
    const nowhere = clients.make(server, alice, { apiUrl: 'http://127.0.0.1:9' });
    const offline = await refusal(nowhere.upload(photo()));
    expect(offline.code).toBe('network');
    expect(offline.retryable).toBe(true);
  });
});

describe('sending files', () => {
  test('uploaded first, then sent with attachment_ids; the other side gets the attachments', async () => {
    const recording = recordingWebSocket();
    const { a, b, conversationId } = await pair({ WebSocket: recording.WebSocket });
    const pending = a.send(conversationId, '', { files: [photo(), new File(['hello'], 'hello.txt')] });
    expect(pending.attachments?.map((item) => item.name)).toEqual(['photo.png', 'hello.txt']);
    await until(() => b.getConversation(conversationId).messages.length === 1, 'delivery');
    await until(() => a.getConversation(conversationId).pending.length === 0, 'the ack');
    const [message] = b.getConversation(conversationId).messages;
    expect(message!.body).toBe('');
    expect(message!.attachments.map((item) => [item.name, item.mime_type])).toEqual([
      ['photo.png', 'image/png'],
      ['hello.txt', 'text/plain'],
    ]);
    const sends = recording.sent.filter((frame) => frame.type === 'send_message');
    expect(sends).toHaveLength(1);
    expect(sends[0]!.attachment_ids).toEqual(message!.attachments.map((item) => item.id));
  });

  test('a file over the limit is refused by send at once; more than 10 files too', async () => {
    const { a, conversationId } = await pair({ maxUploadBytes: 1024 });
    const big = new File([new Uint8Array(2048)], 'big.bin');
    expect(() => a.send(conversationId, 'look', { files: [big] })).toThrow(
      expect.objectContaining({ code: 'too_large' }) as Error,
    );
    const many = Array.from({ length: 11 }, () => photo());
    expect(() => a.send(conversationId, '', { files: many })).toThrow(
      expect.objectContaining({ code: 'bad_request' }) as Error,
    );
    expect(a.getConversation(conversationId).pending).toHaveLength(0);
  });

  test('a server 413 fails the message with too_large; it can be discarded', async () => {
    const { a, conversationId } = await pair({ maxUploadBytes: SERVER_MAX * 4 });
    const pending = a.send(conversationId, 'big one', {
      files: [new File([new Uint8Array(SERVER_MAX + 1)], 'big.bin')],
    });
    await until(() => a.getConversation(conversationId).pending[0]?.state === 'failed', 'the failure');
    expect(a.getConversation(conversationId).pending[0]!.error?.code).toBe('too_large');
    a.discard(pending.client_id);
    expect(a.getConversation(conversationId).pending).toHaveLength(0);
  });

  test('queued while the server is down: the outbox keeps the file, and it is sent once when back', async () => {
    const outbox = createMemoryOutbox();
    const { a, b, conversationId } = await pair({ outbox });
    await server.stop();
    try {
      await until(() => a.status !== 'open', 'the disconnect');
      const pending = a.send(conversationId, 'from the train', { files: [photo()] });
      await until(
        () => a.getConversation(conversationId).pending[0]?.error?.code === 'network',
        'the failed upload',
      );
      expect(a.getConversation(conversationId).pending[0]!.state).toBe('sending');
      const [stored] = await outbox.load();
      expect(stored!.client_id).toBe(pending.client_id);
      expect(stored!.attachments![0]!.file).toBeInstanceOf(Blob);
      expect(stored!.attachments![0]!.attachment).toBeUndefined();
    } finally {
      await server.start();
    }
    await until(() => a.getConversation(conversationId).pending.length === 0, 'the ack', 20_000);
    await until(() => b.getConversation(conversationId).messages.length === 1, 'delivery');
    expect(await outbox.load()).toEqual([]);
    const messages = a.getConversation(conversationId).messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]!.attachments).toHaveLength(1);
  });

  test('idempotent: an outbox holding an uploaded, already sent message resends it without a double', async () => {
    const { alice, a, b, conversationId } = await pair();
    const sent = a.send(conversationId, 'once', { files: [photo()] });
    await until(() => b.getConversation(conversationId).messages.length === 1, 'delivery');
    const message = b.getConversation(conversationId).messages[0]!;
    a.stop();
    // What a reload finds when the tab closed after the send but before the ack was stored.
    const stored: PendingMessage = {
      ...sent,
      attachments: [
        {
          local_id: 'x',
          name: 'photo.png',
          type: 'image/png',
          size: PNG.length,
          attachment: message.attachments[0]!,
        },
      ],
    };
    const outbox: OutboxStore = createMemoryOutbox();
    await outbox.put(stored);
    const again = clients.make(server, alice, { outbox });
    again.start();
    again.join(conversationId);
    await until(async () => (await outbox.load()).length === 0, 'the original ack');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(b.getConversation(conversationId).messages).toHaveLength(1);
  });
});
