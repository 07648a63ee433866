import { request as httpRequest } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Attachment } from '@chat/protocol';
import { ManualClock } from '@chat/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../../src/index';
import { connectAs, createConversation, createUser, type TestUser } from '../support/fixtures';
import { expectError, frameOf, sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';
import { startTestServer, type TestServer } from '../support/test-server';

// docs/protocol.md section 11: attachments.

const MAX = 2 * 1024 * 1024;
const cast = useProtocolServer({ maxAttachmentBytes: MAX });
const { sockets } = cast;

async function upload(
  server: ChatServer,
  user: TestUser,
  name: string,
  bytes: Buffer,
  contentType = 'application/octet-stream',
): Promise<{ status: number; attachment: Attachment; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/api/attachments?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'content-type': contentType },
    body: bytes,
  });
  const body = (await response.json()) as { attachment: Attachment };
  return { status: response.status, attachment: body.attachment, body };
}

async function download(server: ChatServer, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { headers });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** A raw request, for what fetch will not send (no Content-Length, a false one). */
function rawPost(server: ChatServer, user: TestUser, headers: Record<string, string>, body: Buffer) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(`${server.url}/api/attachments?name=x.bin`);
    const request = httpRequest(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST' },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.setHeader('authorization', `Bearer ${user.token}`);
    for (const [name, value] of Object.entries(headers)) request.setHeader(name, value);
    request.on('error', reject);
    request.end(body);
  });
}

/** Every file under the data directory's attachment store whose path names `id`. */
function storedFiles(dataDir: string, id: string): string[] {
  const root = join(dataDir, 'attachments');
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[]).filter(
    (path) => path.includes(id) && !path.endsWith(id),
  );
}

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .png()
    .toBuffer();

describe('attachments', () => {
  let photo: Buffer;
  beforeAll(async () => {
    photo = await png(1200, 800);
  });

  it('upload: the type is decided from the bytes, not from Content-Type or the name', async () => {
    const { status, attachment } = await upload(cast.server, cast.alice, 'notes.txt', photo, 'text/plain');
    expect(status).toBe(201);
    expect(attachment).toMatchObject({ name: 'notes.txt', mime_type: 'image/png', width: 1200, height: 800 });
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(100, 32)]);
    expect((await upload(cast.server, cast.alice, 'cat.png', pdf, 'image/png')).attachment).toMatchObject({
      mime_type: 'application/pdf',
      width: null,
      height: null,
      thumbnail_url: null,
    });
    const text = Buffer.from('just some words\n');
    expect((await upload(cast.server, cast.alice, 'a.jpg', text, 'image/jpeg')).attachment.mime_type).toBe(
      'text/plain',
    );
  });

  it('upload: an image gets width, height and a thumbnail at most 512 px on the long side', async () => {
    const { attachment } = await upload(cast.server, cast.alice, 'wide.png', photo);
    expect(attachment.thumbnail_url).toMatch(/^\/api\/attachments\/[0-9a-f-]+\/thumbnail\?sig=/);
    const thumbnail = await download(cast.server, attachment.thumbnail_url!);
    expect(thumbnail.response.status).toBe(200);
    expect(thumbnail.response.headers.get('content-type')).toBe('image/png');
    expect(await sharp(thumbnail.bytes).metadata()).toMatchObject({ width: 512, height: 341 });
  });

  it('upload: EXIF and GPS are gone from the stored image, which is turned upright; size is as stored', async () => {
    const jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3a6' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExif({
        IFD0: { Make: 'SpyCam', Model: 'X1' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '51/1 30/1 0/1',
          GPSLongitudeRef: 'W',
          GPSLongitude: '0/1 7/1 0/1',
        },
      })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    expect(jpeg.includes(Buffer.from('SpyCam'))).toBe(true);
    const { attachment } = await upload(cast.server, cast.alice, 'holiday.jpg', jpeg, 'image/jpeg');
    // Orientation 6 is a quarter turn: the stored image is upright, 200 x 300.
    expect(attachment).toMatchObject({ mime_type: 'image/jpeg', width: 200, height: 300 });
    const stored = await download(cast.server, attachment.url);
    const meta = await sharp(stored.bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(stored.bytes.includes(Buffer.from('SpyCam'))).toBe(false);
    expect(attachment.size).toBe(stored.bytes.length);
  });

  it('upload: a declared Content-Length over MAX_ATTACHMENT_BYTES is 413 before the body is read', async () => {
    const { status, body } = await rawPost(
      cast.server,
      cast.alice,
      { 'content-length': String(MAX + 1) },
      Buffer.alloc(10),
    );
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('upload: a body over MAX_ATTACHMENT_BYTES is 413 and nothing is kept', async () => {
    const before = readdirSync(join(cast.harness.dataDir, 'attachments'), { recursive: true }).length;
    const { status } = await upload(cast.server, cast.alice, 'big.bin', Buffer.alloc(MAX + 1, 7));
    expect(status).toBe(413);
    const after = readdirSync(join(cast.harness.dataDir, 'attachments'), { recursive: true }) as string[];
    expect(after.filter((path) => !path.startsWith('.tmp'))).toHaveLength(
      before - (existsSync(join(cast.harness.dataDir, 'attachments', '.tmp')) ? 1 : 0),
    );
  });

  it('upload: without Content-Length (chunked) is 411', async () => {
    const { status } = await rawPost(
      cast.server,
      cast.alice,
      { 'transfer-encoding': 'chunked' },
      Buffer.from('hello'),
    );
    expect(status).toBe(411);
  });

  it('upload: without a token is 401', async () => {
    const response = await fetch(`${cast.server.url}/api/attachments?name=a.txt`, {
      method: 'POST',
      body: 'hi',
    });
    expect(response.status).toBe(401);
  });

  it('signed URL: loads without a header; a tampered signature or id does not', async () => {
    const { attachment } = await upload(cast.server, cast.alice, 'red.png', photo);
    const ok = await download(cast.server, attachment.url);
    expect(ok.response.status).toBe(200);
    expect(ok.response.headers.get('content-type')).toBe('image/png');
    expect(ok.response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ok.response.headers.get('cache-control')).toMatch(/^private/);
    expect(ok.response.headers.get('content-disposition')).toMatch(/^inline/);
    expect(ok.bytes.length).toBe(attachment.size);
    const tampered = attachment.url.replace(/sig=(.)/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect((await download(cast.server, tampered)).response.status).toBe(404);
    expect((await download(cast.server, attachment.url.replace('?', '/thumbnail?'))).response.status).toBe(
      404,
    );
    expect((await download(cast.server, attachment.url.split('?')[0]!)).response.status).toBe(404);
  });

  it('without a signature: the uploader before sending, then members of the conversation; a non-member gets 404', async () => {
    const conversation = await createConversation(cast.server, cast.alice, [cast.bob]);
    const { attachment } = await upload(cast.server, cast.alice, 'red.png', photo);
    const path = attachment.url.split('?')[0]!;
    const as = (user: TestUser) => download(cast.server, path, { authorization: `Bearer ${user.token}` });
    expect((await as(cast.alice)).response.status).toBe(200);
    expect((await as(cast.bob)).response.status).toBe(404);
    const socket = await sockets.connect(cast.alice);
    await sendMessage(socket, conversation.id, '', { attachment_ids: [attachment.id] });
    expect((await as(cast.bob)).response.status).toBe(200);
    expect((await as(cast.mallory)).response.status).toBe(404);
  });

  it('SVG and HTML download as attachments, with their stored type and nosniff', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const html = Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>');
    for (const [name, bytes, mime] of [
      ['logo.png', svg, 'image/svg+xml'],
      ['page.png', html, 'text/html'],
    ] as const) {
      const { attachment } = await upload(cast.server, cast.alice, name, bytes, 'image/png');
      expect(attachment).toMatchObject({ mime_type: mime, width: null, thumbnail_url: null });
      const { response } = await download(cast.server, attachment.url);
      expect(response.headers.get('content-type')).toContain(mime);
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('Range: 206 with Content-Range; a range past the end is 416', async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const { attachment } = await upload(cast.server, cast.alice, 'data.bin', bytes);
    const part = await download(cast.server, attachment.url, { range: 'bytes=100-199' });
    expect(part.response.status).toBe(206);
    expect(part.response.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(part.bytes.equals(bytes.subarray(100, 200))).toBe(true);
    const tail = await download(cast.server, attachment.url, { range: 'bytes=-10' });
    expect(tail.response.headers.get('content-range')).toBe('bytes 990-999/1000');
    expect(tail.bytes.equals(bytes.subarray(990))).toBe(true);
    const past = await download(cast.server, attachment.url, { range: 'bytes=1000-' });
    expect(past.response.status).toBe(416);
    expect(past.response.headers.get('content-range')).toBe('bytes */1000');
  });

  it('send_message: attachments carried in the message; an empty body only with them; retry is idempotent', async () => {
    const conversation = await createConversation(cast.server, cast.alice, [cast.bob]);
    const socket = await sockets.connect(cast.alice);
    const { attachment } = await upload(cast.server, cast.alice, 'red.png', photo);
    const frame = {
      type: 'send_message',
      conversation_id: conversation.id,
      client_id: crypto.randomUUID(),
      body: '',
      attachment_ids: [attachment.id],
    };
    const first = frameOf(await socket.request(frame), 'message_ack').message;
    expect(first.attachments).toEqual([attachment]);
    const again = frameOf(await socket.request(frame), 'message_ack').message;
    expect(again).toEqual(first);
    expectError(
      await socket.request({ ...frame, client_id: crypto.randomUUID(), attachment_ids: [] }),
      'bad_request',
    );
  });

  it("send_message: someone else's upload, one already sent, or more than 10 is bad_request", async () => {
    const conversation = await createConversation(cast.server, cast.alice, [cast.bob]);
    const socket = await sockets.connect(cast.alice);
    const bobs = (await upload(cast.server, cast.bob, 'b.txt', Buffer.from('bob')))!.attachment;
    const mine = (await upload(cast.server, cast.alice, 'a.txt', Buffer.from('alice')))!.attachment;
    await sendMessage(socket, conversation.id, 'first', { attachment_ids: [mine.id] });
    const send = (attachment_ids: string[]) =>
      socket.request({
        type: 'send_message',
        conversation_id: conversation.id,
        client_id: crypto.randomUUID(),
        body: 'x',
        attachment_ids,
      });
    expectError(await send([bobs.id]), 'bad_request');
    expectError(await send([mine.id]), 'bad_request');
    expectError(await send(Array.from({ length: 11 }, () => crypto.randomUUID())), 'bad_request');
  });

  it('unsend deletes the bytes: the message carries no attachments and both URLs are 404 for everyone', async () => {
    const conversation = await createConversation(cast.server, cast.alice, [cast.bob]);
    const socket = await sockets.connect(cast.alice);
    const { attachment } = await upload(cast.server, cast.alice, 'red.png', photo);
    const message = await sendMessage(socket, conversation.id, 'look', { attachment_ids: [attachment.id] });
    expect(storedFiles(cast.harness.dataDir, attachment.id)).toHaveLength(2);
    frameOf(await socket.request({ type: 'delete_message', message_id: message.id }), 'ack');
    expect(storedFiles(cast.harness.dataDir, attachment.id)).toEqual([]);
    expect((await download(cast.server, attachment.url)).response.status).toBe(404);
    expect((await download(cast.server, attachment.thumbnail_url!)).response.status).toBe(404);
    const bearer = { authorization: `Bearer ${cast.alice.token}` };
    expect((await download(cast.server, attachment.url.split('?')[0]!, bearer)).response.status).toBe(404);
  });
});

describe('attachments: the 24 h sweep (on the server clock)', () => {
  const clock = new ManualClock();
  let harness: TestServer;
  let ann: TestUser;
  beforeAll(async () => {
    harness = await startTestServer({}, { clock });
    // Tokens outlive the day the clock moves (the server checks them on its clock).
    ann = await createUser(harness.server, 'Ann', { expiresIn: 2 * 24 * 3600 });
  });
  afterAll(() => harness.dispose());

  it('an upload not used in a message within 24 h is deleted; a younger one and a sent one stay', async () => {
    const { server } = harness;
    const conversation = await createConversation(server, ann, [await createUser(server, 'Ben')]);
    const old = (await upload(server, ann, 'old.txt', Buffer.from('old'))).attachment;
    const sent = (await upload(server, ann, 'sent.txt', Buffer.from('sent'))).attachment;
    const socket = await connectAs(server, ann);
    await sendMessage(socket, conversation.id, 'here', { attachment_ids: [sent.id] });
    socket.close();
    clock.advance(12 * 3600 * 1000);
    const young = (await upload(server, ann, 'young.txt', Buffer.from('young'))).attachment;
    clock.advance(12 * 3600 * 1000 + 10 * 60 * 1000);
    // Presence is awaited: the sweep runs on its own after the clock moved.
    await expect
      .poll(async () => (await download(server, old.url)).response.status, { timeout: 10_000 })
      .toBe(404);
    // The record goes first, then its bytes.
    await expect.poll(() => storedFiles(harness.dataDir, old.id), { timeout: 10_000 }).toEqual([]);
    // Every sweep so far used a cutoff of at most now - 24 h, before the young upload was made.
    expect((await download(server, young.url)).response.status).toBe(200);
    expect((await download(server, sent.url)).response.status).toBe(200);
  });
});
