import { createDecipheriv, createECDH, hkdfSync, randomBytes, randomUUID, type ECDH } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connectAs, createConversation, createUser, type TestUser } from '../support/fixtures';
import { frameOf, sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';
import { startTestServer } from '../support/test-server';
import type { ChatServer } from '../../src/index';

// docs/protocol.md section 13: notifications. A push service written here, on
// loopback, receives the real Web Push requests: it checks their VAPID JWT and
// decrypts their aes128gcm payload with the subscription's own keys.

interface ReceivedPush {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A push service (RFC 8030) on loopback: records every push; answers 201 unless told otherwise per path. */
class TestPushService {
  readonly received: ReceivedPush[] = [];
  /** path -> statuses to answer, in turn (then 201). */
  readonly answers = new Map<string, number[]>();
  private readonly waiters: Array<{ path: string; resolve: (push: ReceivedPush) => void }> = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        const push = { path, headers: request.headers, body: Buffer.concat(chunks) };
        this.received.push(push);
        const status = this.answers.get(path)?.shift() ?? 201;
        response.writeHead(status).end();
        for (const waiter of this.waiters.filter((w) => w.path === path)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(push);
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The pushes received on `path` so far. */
  on(path: string): ReceivedPush[] {
    return this.received.filter((push) => push.path === path);
  }

  /** Resolves with the `n`th push (1-based) on `path`, at once if it already came. */
  nth(path: string, n: number): Promise<ReceivedPush> {
    const already = this.on(path)[n - 1];
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no push #${n} on ${path}`)), 5000);
      const waiter = {
        path,
        resolve: () => {
          const push = this.on(path)[n - 1];
          if (push) {
            clearTimeout(timer);
            resolve(push);
          } else this.waiters.push(waiter);
        },
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** A browser's subscription: its own P-256 key pair and auth secret, on a path of the test push service. */
interface Subscription {
  path: string;
  endpoint: string;
  ecdh: ECDH;
  auth: Buffer;
}

function newSubscription(service: TestPushService): Subscription {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const path = `/push/${randomUUID()}`;
  return { path, endpoint: `${service.url}${path}`, ecdh, auth: randomBytes(16) };
}

async function subscribe(server: ChatServer, user: TestUser, subscription: Subscription): Promise<void> {
  const response = await api(server, user.token, 'POST', '/api/push/subscriptions', {
    endpoint: subscription.endpoint,
    keys: {
      p256dh: subscription.ecdh.getPublicKey().toString('base64url'),
      auth: subscription.auth.toString('base64url'),
    },
  });
  expect(response.status).toBe(201);
}

/** RFC 8291 with RFC 8188's aes128gcm record: what a browser does with a push. */
function decryptPush(subscription: Subscription, body: Buffer): unknown {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const serverPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  expect(idLength).toBe(65);
  expect(ciphertext.length).toBeLessThanOrEqual(recordSize);
  const shared = subscription.ecdh.computeSecret(serverPublic);
  const keyInfo = Buffer.concat([
    Buffer.from('WebPush: info\0'),
    subscription.ecdh.getPublicKey(),
    serverPublic,
  ]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, subscription.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  // The last record: the text, then the delimiter 2, then zero padding.
  let end = padded.length - 1;
  while (end > 0 && padded[end] === 0) end--;
  expect(padded[end]).toBe(2);
  return JSON.parse(padded.subarray(0, end).toString('utf8'));
}

/** RFC 8292: `vapid t=<ES256 JWT>, k=<public key>`, the JWT for the endpoint's origin, not expired. */
async function verifyVapid(push: ReceivedPush, subscription: Subscription, serverKey: string): Promise<void> {
  const header = push.headers.authorization ?? '';
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
  expect(match, `Authorization: ${header}`).not.toBeNull();
  const [, jwt, k] = match!;
  expect(k).toBe(serverKey);
  const point = Buffer.from(k!, 'base64url');
  const key = await importJWK(
    {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    'ES256',
  );
  const { payload } = await jwtVerify(jwt!, key, {
    algorithms: ['ES256'],
    audience: new URL(subscription.endpoint).origin,
  });
  const now = Math.floor(Date.now() / 1000);
  expect(payload.exp).toBeGreaterThan(now);
  expect(payload.exp).toBeLessThanOrEqual(now + 24 * 3600);
  expect(payload.sub).toMatch(/^(mailto:|https:)/);
  expect(push.headers['content-encoding']).toBe('aes128gcm');
  expect(Number(push.headers.ttl)).toBeGreaterThan(0);
}

const push = new TestPushService();
beforeAll(() => push.start());
afterAll(() => push.stop());

const cast = useProtocolServer({ pushAllowPrivate: true });
const { sockets } = cast;

/** Fresh people per test, so one test's subscriptions and sockets never reach another. */
async function people(...names: string[]): Promise<TestUser[]> {
  return Promise.all(names.map((name) => createUser(cast.server, name)));
}

async function serverKey(server: ChatServer, user: TestUser): Promise<string> {
  const response = await api(server, user.token, 'GET', '/api/push/key');
  expect(response.status).toBe(200);
  return ((await response.json()) as { public_key: string }).public_key;
}

describe('notifications', () => {
  it('push: GET /api/push/key is the VAPID public key, the same on every call', async () => {
    const [ada] = await people('Ada');
    const key = await serverKey(cast.server, ada!);
    expect(Buffer.from(key, 'base64url')).toHaveLength(65);
    expect(await serverKey(cast.server, ada!)).toBe(key);
  });

  it('push: a text message is pushed to a member with no connection; VAPID verifies, the payload decrypts with the subscription keys and names the conversation, sender and text', async () => {
    const [ada, bob] = await people('Ada Lovelace', 'Bob');
    const conversation = await createConversation(cast.server, ada!, [bob!]);
    const subscription = newSubscription(push);
    await subscribe(cast.server, bob!, subscription);
    const socket = await sockets.connect(ada!);
    const message = await sendMessage(socket, conversation.id, 'Lunch at noon?');
    const received = await push.nth(subscription.path, 1);
    await verifyVapid(received, subscription, await serverKey(cast.server, bob!));
    expect(decryptPush(subscription, received.body)).toEqual({
      conversation_id: conversation.id,
      message_id: message.id,
      title: 'Ada Lovelace',
      body: 'Lunch at noon?',
    });
  });

  it("push: the sender is not pushed; in a titled group the title is the group's and the body names the sender", async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy');
    const group = await createConversation(cast.server, ada!, [bob!, cy!], 'Trip');
    const adas = newSubscription(push);
    const bobs = newSubscription(push);
    await subscribe(cast.server, ada!, adas);
    await subscribe(cast.server, bob!, bobs);
    const adaSocket = await sockets.connect(ada!);
    // Ada's page is hidden: only being the sender keeps her own message from her.
    frameOf(await adaSocket.request({ type: 'client_state', visible: false, ref: 'hide' }), 'ack');
    const first = await sendMessage(adaSocket, group.id, 'x'.repeat(300));
    expect(decryptPush(bobs, (await push.nth(bobs.path, 1)).body)).toEqual({
      conversation_id: group.id,
      message_id: first.id,
      title: 'Trip',
      body: `Ada: ${'x'.repeat(194)}…`,
    });
    // Pushes to one person go out in order: Ada's first is Cy's message, never her own.
    const cySocket = await sockets.connect(cy!);
    const second = await sendMessage(cySocket, group.id, '👋 '.repeat(150));
    const toAda = decryptPush(adas, (await push.nth(adas.path, 1)).body) as {
      message_id: string;
      body: string;
    };
    expect(toAda.message_id).toBe(second.id);
    expect(Array.from(toAda.body)).toHaveLength(200);
    expect(toAda.body.endsWith('…')).toBe(true);
  });

  it('push: a muted conversation sends nothing unless the message mentions the member', async () => {
    const [ada, bob] = await people('Ada', 'Bob');
    const conversation = await createConversation(cast.server, ada!, [bob!]);
    const subscription = newSubscription(push);
    await subscribe(cast.server, bob!, subscription);
    const muted = await api(
      cast.server,
      bob!.token,
      'PATCH',
      `/api/conversations/${conversation.id}/settings`,
      {
        muted_until: new Date(Date.now() + 3600_000).toISOString(),
      },
    );
    expect(muted.status).toBe(200);
    const socket = await sockets.connect(ada!);
    await sendMessage(socket, conversation.id, 'not pushed: muted');
    const mention = await sendMessage(socket, conversation.id, '@Bob pushed: mentioned', {
      mentions: [bob!.id],
    });
    // Pushes to one person go out in order: had the first been pushed, it would be the first here.
    const first = decryptPush(subscription, (await push.nth(subscription.path, 1)).body);
    expect(first).toMatchObject({ message_id: mention.id, body: '@Bob pushed: mentioned' });
  });

  it('push: a visible connection suppresses the push, a hidden one does not', async () => {
    const [ada, bob, cy] = await people('Ada', 'Bob', 'Cy');
    const conversation = await createConversation(cast.server, ada!, [bob!]);
    const subscription = newSubscription(push);
    await subscribe(cast.server, bob!, subscription);
    const adaSocket = await sockets.connect(ada!);
    // Pushes are decided one message at a time, after the ack: once a push to Cy (who has
    // no connection) arrives, every message Ada sent before it has been decided.
    const withCy = await createConversation(cast.server, ada!, [cy!]);
    const marker = newSubscription(push);
    await subscribe(cast.server, cy!, marker);
    let markers = 0;
    const decided = async () => {
      await sendMessage(adaSocket, withCy.id, `marker ${++markers}`);
      await push.nth(marker.path, markers);
    };
    // Never sent client_state: visible.
    const bobSocket = await sockets.connect(bob!);
    await sendMessage(
      adaSocket,
      conversation.id,
      'not pushed: a connection that never said counts as visible',
    );
    frameOf(await bobSocket.request({ type: 'client_state', visible: true, ref: 'v' }), 'ack');
    await sendMessage(adaSocket, conversation.id, 'not pushed: visible');
    // A second connection hidden while the first is visible: still no push.
    const bobHidden = await sockets.connect(bob!);
    frameOf(await bobHidden.request({ type: 'client_state', visible: false, ref: 'h' }), 'ack');
    await sendMessage(adaSocket, conversation.id, 'not pushed: one of two visible');
    await decided();
    frameOf(await bobSocket.request({ type: 'client_state', visible: false, ref: 'h2' }), 'ack');
    const hidden = await sendMessage(adaSocket, conversation.id, 'pushed: every page hidden');
    // Pushes to one person go out in order: had an earlier message been pushed, it would be first.
    const first = decryptPush(subscription, (await push.nth(subscription.path, 1)).body);
    expect(first).toMatchObject({ message_id: hidden.id, body: 'pushed: every page hidden' });
    // Visible again, then that socket closes: none visible is left.
    frameOf(await bobSocket.request({ type: 'client_state', visible: true, ref: 'v2' }), 'ack');
    await sendMessage(adaSocket, conversation.id, 'not pushed: visible again');
    await decided();
    bobSocket.close();
    await bobSocket.closed;
    const afterClose = await sendMessage(adaSocket, conversation.id, 'pushed: the visible one closed');
    const second = decryptPush(subscription, (await push.nth(subscription.path, 2)).body);
    expect(second).toMatchObject({ message_id: afterClose.id });
  });

  it('push: a 410 from the push service deletes that subscription', async () => {
    const [ada, bob] = await people('Ada', 'Bob');
    const conversation = await createConversation(cast.server, ada!, [bob!]);
    const dead = newSubscription(push);
    const live = newSubscription(push);
    await subscribe(cast.server, bob!, dead);
    await subscribe(cast.server, bob!, live);
    push.answers.set(dead.path, [410]);
    const socket = await sockets.connect(ada!);
    await sendMessage(socket, conversation.id, 'one');
    await push.nth(dead.path, 1);
    await push.nth(live.path, 1);
    const two = await sendMessage(socket, conversation.id, 'two');
    // Each of Bob's pushes reads his subscriptions when its turn comes, after the 410 was handled.
    expect(decryptPush(live, (await push.nth(live.path, 2)).body)).toMatchObject({ message_id: two.id });
    expect(push.on(dead.path)).toHaveLength(1);
    expect((await cast.server.storage.pushSubscriptionsOf([bob!.id])).map((s) => s.endpoint)).toEqual([
      live.endpoint,
    ]);
  });

  it("push: DELETE /api/push/subscriptions stops the pushes (204); only the caller's own is deleted", async () => {
    const [ada, bob] = await people('Ada', 'Bob');
    const conversation = await createConversation(cast.server, ada!, [bob!]);
    const gone = newSubscription(push);
    const kept = newSubscription(push);
    await subscribe(cast.server, bob!, gone);
    await subscribe(cast.server, bob!, kept);
    const notHers = await api(cast.server, ada!.token, 'DELETE', '/api/push/subscriptions', {
      endpoint: kept.endpoint,
    });
    expect(notHers.status).toBe(204);
    const deleted = await api(cast.server, bob!.token, 'DELETE', '/api/push/subscriptions', {
      endpoint: gone.endpoint,
    });
    expect(deleted.status).toBe(204);
    const socket = await sockets.connect(ada!);
    const message = await sendMessage(socket, conversation.id, 'after the delete');
    expect(decryptPush(kept, (await push.nth(kept.path, 1)).body)).toMatchObject({ message_id: message.id });
    expect(push.on(gone.path)).toHaveLength(0);
  });

  it('push: a bad endpoint or bad keys are 400', async () => {
    const [ada] = await people('Ada');
    const keys = {
      p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
      auth: randomBytes(16).toString('base64url'),
    };
    const post = (body: unknown) => api(cast.server, ada!.token, 'POST', '/api/push/subscriptions', body);
    expect((await post({ endpoint: 'ftp://example.com/x', keys })).status).toBe(400);
    expect((await post({ endpoint: 'not a url', keys })).status).toBe(400);
    expect(
      (await post({ endpoint: 'https://push.example.com/x', keys: { ...keys, auth: 'AAAA' } })).status,
    ).toBe(400);
    expect(
      (await post({ endpoint: 'https://push.example.com/x', keys: { ...keys, p256dh: 'AAAA' } })).status,
    ).toBe(400);
    expect((await post({ endpoint: 'https://push.example.com/x' })).status).toBe(400);
  });
});

describe('notifications: without PUSH_ALLOW_PRIVATE', () => {
  it('push: an endpoint must be https:// on a public address (400 otherwise)', async () => {
    const strict = await startTestServer();
    try {
      const ada = await createUser(strict.server, 'Ada');
      const keys = {
        p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      };
      const post = (endpoint: string) =>
        api(strict.server, ada.token, 'POST', '/api/push/subscriptions', { endpoint, keys });
      for (const endpoint of [
        'http://push.example.com/x',
        'https://127.0.0.1/x',
        'https://10.1.2.3/x',
        'https://192.168.0.1/x',
        'https://[::1]/x',
        'https://[::ffff:127.0.0.1]/x',
        'https://localhost/x',
        'https://169.254.169.254/x',
      ]) {
        expect((await post(endpoint)).status, endpoint).toBe(400);
      }
      expect((await post('https://push.example.com/x')).status).toBe(201);
      expect((await post('https://8.8.8.8/x')).status).toBe(201);
    } finally {
      await strict.dispose();
    }
  });
});

describe('notifications: PUSH_PREVIEWS=false', () => {
  it('push: without previews the payload has neither the text nor the sender: "New message" and an empty body', async () => {
    const quiet = await startTestServer({ pushAllowPrivate: true, pushPreviews: false });
    try {
      const ada = await createUser(quiet.server, 'Ada Secret');
      const bob = await createUser(quiet.server, 'Bob');
      const conversation = await createConversation(quiet.server, ada, [bob]);
      const subscription = newSubscription(push);
      await subscribe(quiet.server, bob, subscription);
      const socket = await connectAs(quiet.server, ada);
      const message = await sendMessage(socket, conversation.id, 'the secret plan');
      const received = await push.nth(subscription.path, 1);
      await verifyVapid(received, subscription, await serverKey(quiet.server, bob));
      const payload = decryptPush(subscription, received.body);
      expect(payload).toEqual({
        conversation_id: conversation.id,
        message_id: message.id,
        title: 'New message',
        body: '',
      });
      expect(JSON.stringify(payload)).not.toMatch(/secret|Ada/);
      socket.close();
      await socket.closed;
    } finally {
      await quiet.dispose();
    }
  });
});
