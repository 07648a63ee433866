import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attachment } from '@chat/protocol';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ChatServer, type ServerConfig } from '../../src/index';
import { connectAs, createConversation, createUser, type TestUser } from '../support/fixtures';
import { TEST_DATABASE_URL, createTestSchema } from '../support/postgres';
import { sendMessage } from '../support/protocol';
import { startS3, type TestS3 } from '../support/s3';
import { TEST_JWT_SECRET } from '../support/test-server';

async function postgresMissing(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return `PostgreSQL is not reachable (${(error as Error).message}); set TEST_DATABASE_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
const missing = await postgresMissing();
if (missing) console.warn(`attachments across processes skipped: ${missing}`);

/**
 * Section 11 across processes: two servers, each with a DATA_DIR of its own,
 * on one PostgreSQL schema and one S3-compatible bucket (a real s3rver on
 * loopback). What one stores, the other serves.
 */
describe.skipIf(missing !== null)('attachments: two servers on one PostgreSQL and one S3 bucket', () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'chat-s3-a-')), mkdtempSync(join(tmpdir(), 'chat-s3-b-'))];
  let s3: TestS3;
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let a: ChatServer;
  let b: ChatServer;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    s3 = await startS3();
    schema = await createTestSchema();
    const shared: Partial<ServerConfig> = {
      port: 0,
      host: '127.0.0.1',
      jwtSecret: TEST_JWT_SECRET,
      logLevel: 'silent',
      webDistDir: null,
      databaseUrl: schema.databaseUrl,
      ...s3.config,
    };
    a = await createServer({ ...shared, dataDir: dirs[0] });
    b = await createServer({ ...shared, dataDir: dirs[1] });
    alice = await createUser(a, 'Alice');
    bob = await createUser(b, 'Bob');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
    await s3?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('an upload to one server downloads from the other: signed, by a member, thumbnail and Range; unsend on one deletes it for both', async () => {
    const image = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#48c' } })
      .png()
      .toBuffer();
    const response = await fetch(`${a.url}/api/attachments?name=shared.png`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'image/png' },
      body: image,
    });
    expect(response.status).toBe(201);
    const { attachment } = (await response.json()) as { attachment: Attachment };
    // Nothing went to either process's disk: the bytes are in the bucket.
    for (const dir of dirs) expect(readdirSync(dir)).not.toContain('attachments');

    const fromB = await fetch(`${b.url}${attachment.url}`);
    expect(fromB.status).toBe(200);
    expect(Buffer.from(await fromB.arrayBuffer()).length).toBe(attachment.size);
    expect((await fetch(`${b.url}${attachment.thumbnail_url!}`)).status).toBe(200);

    const conversation = await createConversation(a, alice, [bob]);
    const socket = await connectAs(a, alice);
    const message = await sendMessage(socket, conversation.id, 'from a', { attachment_ids: [attachment.id] });
    const bearer = { authorization: `Bearer ${bob.token}` };
    const ranged = await fetch(`${b.url}${attachment.url.split('?')[0]!}`, {
      headers: { ...bearer, range: 'bytes=0-7' },
    });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(image.subarray(0, 8))).toBe(true);

    await socket.request({ type: 'delete_message', message_id: message.id });
    socket.close();
    expect((await fetch(`${b.url}${attachment.url}`)).status).toBe(404);
    expect((await fetch(`${a.url}${attachment.thumbnail_url!}`)).status).toBe(404);
  });
});
