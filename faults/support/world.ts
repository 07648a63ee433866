import { performance } from 'node:perf_hooks';
import { ChatClient, createMemoryOutbox } from '@chat/client';
import type {
  BackoffOptions,
  ChatClientOptions,
  ConnectionStatus,
  HeartbeatOptions,
  OutboxStore,
  TokenGetter,
} from '@chat/client';
import { createConversation, createUser } from '../../packages/client/test/support/fixtures';
import type { TestUser } from '../../packages/client/test/support/fixtures';
import { ChaosProxy } from './chaos-proxy';
import { Random } from '@chat/testkit';
import { CountingClock } from './counting-clock';
import type { FaultServer } from './server';
import { readConversation } from './storage';
import type { StoredMessage } from './storage';
import { Tap } from './tap';
import { sleep, waitFor } from './wait';

/** Fast reconnects (the server is back in about a second), jitter kept. */
export const FAULT_BACKOFF: BackoffOptions = {
  initialMs: 50,
  maxMs: 500,
  stableAfterMs: 60_000,
  floodPauseMs: 500,
};

export interface WorldOptions {
  clients: number;
  conversations: number;
  /** 'none': straight to the server; 'shared': one ChaosProxy for all; 'each': one proxy per client. */
  proxy?: 'none' | 'shared' | 'each';
  heartbeat?: HeartbeatOptions;
  backoff?: BackoffOptions;
  /** Drives every random choice of the scenario (not the OS's timing). */
  random?: Random;
  /** Makes the token getter of a participant (default: its hour-long token). */
  tokens?: (user: TestUser, index: number) => TokenGetter;
  /** Pads every body to this many characters (default: none). */
  bodyChars?: number;
  /** Server WebSocket URLs to spread the clients over, round robin (default: the server's). */
  wsUrls?: readonly string[];
}

/** One person: a user and the ChatClient standing for them (replaced on `reload`). */
export class Participant {
  /** One tap per client incarnation (a reload starts a new one). */
  readonly taps: Tap[] = [];
  /** Stands in for IndexedDB: what was unacked survives a reload. */
  readonly outbox: OutboxStore = createMemoryOutbox();
  /** Every status the clients went through, in order. */
  readonly statuses: ConnectionStatus[] = [];
  client: ChatClient;
  /** The current client's timers. */
  clock = new CountingClock();
  reloads = 0;

  constructor(
    readonly index: number,
    readonly user: TestUser,
    readonly url: string,
    private readonly options: Pick<ChatClientOptions, 'getToken' | 'backoff' | 'heartbeat'>,
    readonly proxy: ChaosProxy | null,
  ) {
    this.client = this.make();
  }

  get tap(): Tap {
    return this.taps.at(-1)!;
  }

  start(conversationIds: readonly string[]): void {
    this.client.start();
    for (const id of conversationIds) this.client.join(id);
  }

  /** A page reload: this client stops (1000) and a new one starts on the same outbox. */
  reload(conversationIds: readonly string[]): void {
    this.client.stop();
    this.client = this.make();
    this.reloads++;
    this.start(conversationIds);
  }

  private make(): ChatClient {
    const tap = new Tap();
    this.taps.push(tap);
    this.clock = new CountingClock();
    const client = new ChatClient({
      url: this.url,
      WebSocket: tap.webSocket(),
      outbox: this.outbox,
      clock: this.clock,
      ...this.options,
    });
    client.on('status', (status) => this.statuses.push(status));
    return client;
  }
}

export interface SendRecord {
  participant: number;
  conversationId: string;
  clientId: string;
  body: string;
  /** performance.now() at `send()`. */
  at: number;
}

/** Storage's messages per conversation id, in seq order. */
export type StorageView = Map<string, StoredMessage[]>;

/**
 * The cast of a scenario: users, group conversations (everyone a member of
 * every one, so every client should end with the same history), ChatClients
 * (through proxies if asked), and the ledger of every send they made.
 */
export class World {
  readonly sends: SendRecord[] = [];
  private bodies = 0;

  private constructor(
    readonly server: FaultServer,
    readonly participants: Participant[],
    readonly conversationIds: string[],
    readonly proxies: ChaosProxy[],
    readonly random: Random,
    private readonly bodyChars: number,
  ) {}

  static async create(server: FaultServer, options: WorldOptions): Promise<World> {
    const random = options.random ?? new Random(1);
    const users: TestUser[] = [];
    for (let index = 0; index < options.clients; index++) users.push(await createUser(server, `P${index}`));
    const conversationIds: string[] = [];
    for (let index = 0; index < options.conversations; index++) {
      const owner = users[index % users.length]!;
      const others = users.filter((user) => user !== owner);
      conversationIds.push((await createConversation(server, owner, others)).id);
    }
    const proxies: ChaosProxy[] = [];
    const proxyFor = async (): Promise<ChaosProxy | null> => {
      if ((options.proxy ?? 'none') === 'none') return null;
      if (options.proxy === 'shared' && proxies[0]) return proxies[0];
      const proxy = await ChaosProxy.start(server.tcpPort, random.next);
      proxies.push(proxy);
      return proxy;
    };
    const participants: Participant[] = [];
    for (const [index, user] of users.entries()) {
      const proxy = await proxyFor();
      participants.push(
        new Participant(
          index,
          user,
          proxy?.url ?? options.wsUrls?.[index % options.wsUrls.length] ?? server.wsUrl,
          {
            getToken: options.tokens?.(user, index) ?? (async () => user.token),
            backoff: options.backoff ?? FAULT_BACKOFF,
            ...(options.heartbeat ? { heartbeat: options.heartbeat } : {}),
          },
          proxy,
        ),
      );
    }
    return new World(server, participants, conversationIds, proxies, random, options.bodyChars ?? 0);
  }

  /** Starts every client and joins every conversation; resolves once all are joined. */
  async startAll(timeoutMs = 30_000): Promise<void> {
    for (const participant of this.participants) participant.start(this.conversationIds);
    const ready = await waitFor(() => this.participants.every((p) => this.isJoined(p)), timeoutMs);
    if (!ready) throw new Error('the clients did not all open and join in time');
  }

  isJoined(participant: Participant): boolean {
    return (
      participant.client.status === 'open' &&
      this.conversationIds.every((id) => participant.client.getConversation(id).joined)
    );
  }

  /** One message from `participant` (to a random conversation unless named), recorded in the ledger. */
  send(participant: Participant, conversationId = this.random.pick(this.conversationIds)): SendRecord {
    const tag = `p${participant.index}#${++this.bodies}`;
    const body = this.bodyChars > tag.length ? `${tag} ${'x'.repeat(this.bodyChars - tag.length - 1)}` : tag;
    const pending = participant.client.send(conversationId, body);
    const record: SendRecord = {
      participant: participant.index,
      conversationId,
      clientId: pending.client_id,
      body,
      at: performance.now(),
    };
    this.sends.push(record);
    return record;
  }

  /**
   * Every client sends `perClient` messages, one every ~intervalMs (jittered),
   * all at once: resolves when the last is handed to its client (not acked).
   */
  async storm(perClient: number, intervalMs: number, who = this.participants): Promise<void> {
    await Promise.all(
      who.map(async (participant) => {
        for (let count = 0; count < perClient; count++) {
          this.send(participant);
          await sleep(intervalMs * (0.5 + this.random.next()));
        }
      }),
    );
  }

  /** Retries every send a server refused (`internal` while its database was away), as a user would. */
  retryFailed(): number {
    let retried = 0;
    for (const participant of this.participants) {
      for (const id of this.conversationIds) {
        for (const pending of participant.client.getConversation(id).pending) {
          if (pending.state !== 'failed') continue;
          participant.client.retry(pending.client_id);
          retried++;
        }
      }
    }
    return retried;
  }

  /** client_ids acked by a `message_ack` so far (any client incarnation). */
  ackedIds(): Set<string> {
    const ids = new Set<string>();
    for (const participant of this.participants)
      for (const tap of participant.taps) for (const id of tap.acks.keys()) ids.add(id);
    return ids;
  }

  /** client_ids written on at least `sockets` sockets (2: re-sent on a new socket). */
  writtenIds(sockets = 1): Set<string> {
    const ids = new Set<string>();
    for (const participant of this.participants)
      for (const tap of participant.taps)
        for (const [id, on] of tap.sentOnSockets) if (on.size >= sockets) ids.add(id);
    return ids;
  }

  /** Milliseconds from `send()` to its first `message_ack`, for the sends given. */
  ackLatencies(sends: readonly SendRecord[]): number[] {
    const latencies: number[] = [];
    for (const send of sends) {
      const participant = this.participants[send.participant]!;
      for (const tap of participant.taps) {
        const ack = tap.acks.get(send.clientId);
        if (ack) {
          latencies.push(ack.at - send.at);
          break;
        }
      }
    }
    return latencies;
  }

  async readStorage(): Promise<StorageView> {
    const token = this.participants[0]!.user.token;
    const storage: StorageView = new Map();
    for (const id of this.conversationIds) storage.set(id, await readConversation(this.server, token, id));
    return storage;
  }

  /**
   * Waits until every client is open and joined with an empty outbox, then
   * until every client's view equals storage (loading older history into views
   * that a fresh join cut short). Never throws on time-out: the figures then
   * show what is missing.
   */
  async converge(timeoutMs = 60_000, who = this.participants): Promise<StorageView> {
    const deadline = Date.now() + timeoutMs;
    await waitFor(
      () =>
        who.every(
          (p) =>
            this.isJoined(p) &&
            this.conversationIds.every((id) => p.client.getConversation(id).pending.length === 0),
        ),
      timeoutMs,
      50,
    );
    for (;;) {
      const storage = await this.readStorage();
      if (who.every((p) => this.holdsAll(p, storage)) || Date.now() > deadline) return storage;
      for (const p of who) {
        for (const id of this.conversationIds) {
          if (p.client.getConversation(id).hasMoreBefore) await p.client.loadOlder(id).catch(() => {});
        }
      }
      await sleep(200);
    }
  }

  async dispose(): Promise<void> {
    for (const participant of this.participants) participant.client.stop();
    await Promise.all(this.proxies.map((proxy) => proxy.close()));
  }

  private holdsAll(participant: Participant, storage: StorageView): boolean {
    return this.conversationIds.every((id) => {
      const held = participant.client.getConversation(id).messages;
      const stored = storage.get(id) ?? [];
      return (
        held.length === stored.length && held.every((message, index) => message.id === stored[index]!.id)
      );
    });
  }
}
