import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message, ServerFrame, ServerFrameType } from '@chat/protocol';
import { ManualClock, Random } from '@chat/testkit';
import { createMemoryBroker } from '../../src/broker/memory-broker';
import { createLogger } from '../../src/logger';
import { Publisher } from '../../src/realtime/publisher';
import type { ConversationRoom } from '../../src/realtime/conversation-room';
import type { Recipient } from '../../src/realtime/recipient';
import { RoomRegistry } from '../../src/realtime/room-registry';
import { createSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { makeConversation, makeUsers, newMessage } from '../storage/contract/fixture';
import { createLossyBroker } from './lossy-broker';

/**
 * A deterministic world for the ordering core: two "processes" (a room
 * registry and a publisher each) on one in-memory broker that each sees
 * through its own lossy view (drops, delays, reorders), one real SQLite store,
 * and connections that send, edit, react, leave and rejoin as a seeded
 * schedule says. Time is a ManualClock, so a seed replays the same run.
 *
 * Each connection checks as frames arrive that every change comes once and in
 * seq order within a session (join to leave); `converged()` checks at the end
 * that every joined connection's view equals storage.
 */

const PROCESSES = 2;
const USERS = 3;
const CONNECTIONS = 5;
const CONVERSATIONS = 2;
const GAP_FILL_DELAY_MS = 250;

export interface WorldOptions {
  seed: number;
  steps: number;
  dropRate: number;
  maxDelayMs: number;
  /** Turns gap filling off (a delay longer than any run), to show the checks notice. */
  withoutGapFill?: boolean;
}

class Connection implements Recipient {
  /** Per conversation: the highest seq this session has seen (snapshot or change). */
  readonly sessionSeq = new Map<string, number>();
  /** Per conversation: each message's latest state seen. */
  readonly view = new Map<string, Map<string, Message>>();
  readonly violations: string[] = [];

  constructor(
    readonly index: number,
    readonly userId: string,
    readonly process: number,
  ) {}

  sendSerialized(text: string, type: ServerFrameType): void {
    const frame = JSON.parse(text) as ServerFrame;
    if (frame.type !== type) this.violations.push(`frame ${frame.type} sent as ${type}`);
    if (frame.type !== 'message' && frame.type !== 'message_updated') return;
    const { message } = frame;
    const seen = this.sessionSeq.get(message.conversation_id);
    if (seen === undefined) {
      this.violations.push(`c${this.index} got seq ${message.updated_seq} while not joined`);
      return;
    }
    if (message.updated_seq <= seen) {
      this.violations.push(
        `c${this.index} got seq ${message.updated_seq} after ${seen} (doubled or reordered)`,
      );
    }
    this.sessionSeq.set(message.conversation_id, message.updated_seq);
    this.apply(message);
  }

  endMembership(): void {
    this.violations.push(`c${this.index}'s membership ended, which the schedule never does`);
  }

  apply(message: Message): void {
    let messages = this.view.get(message.conversation_id);
    if (!messages) this.view.set(message.conversation_id, (messages = new Map()));
    const known = messages.get(message.id);
    if (!known || known.updated_seq < message.updated_seq) messages.set(message.id, message);
  }

  /** The seq to resume from: the highest updated_seq of anything seen in the conversation. */
  resumeSeq(conversationId: string): number | undefined {
    const messages = this.view.get(conversationId);
    if (!messages) return undefined;
    return Math.max(0, ...[...messages.values()].map((message) => message.updated_seq));
  }
}

export class OrderingWorld {
  readonly clock = new ManualClock();
  readonly steps: string[] = [];
  private readonly random: Random;
  private readonly registries: RoomRegistry[] = [];
  private readonly publishers: Publisher[] = [];
  private readonly connections: Connection[] = [];
  private conversationIds: string[] = [];
  private userIds: string[] = [];
  private readonly sent: Message[] = [];
  private readonly lossyBrokers: Array<ReturnType<typeof createLossyBroker>> = [];
  /** Joins begun (in the room, buffering) whose snapshot is not read yet. */
  private readonly pendingJoins: Array<{
    connection: Connection;
    conversationId: string;
    room: ConversationRoom;
  }> = [];

  private constructor(
    private readonly options: WorldOptions,
    private readonly storage: Storage,
    private readonly dir: string,
  ) {
    this.random = new Random(options.seed);
  }

  static async create(options: WorldOptions): Promise<OrderingWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'chat-ordering-'));
    const storage = createSqliteStorage({ filename: join(dir, 'chat.db'), synchronous: 'NORMAL' });
    const world = new OrderingWorld(options, storage, dir);
    await world.setUp();
    return world;
  }

  get dropped(): number {
    return this.lossyBrokers.reduce((sum, broker) => sum + broker.dropped, 0);
  }

  private async setUp(): Promise<void> {
    const log = createLogger('silent');
    const broker = createMemoryBroker();
    for (let process = 0; process < PROCESSES; process++) {
      // Each process draws its losses from its own stream, so the schedule's draws stay the seed's.
      const lossy = createLossyBroker(broker, {
        dropRate: this.options.dropRate,
        maxDelayMs: this.options.maxDelayMs,
        random: new Random(this.options.seed * 31 + process + 1),
        clock: this.clock,
      });
      this.lossyBrokers.push(lossy);
      this.publishers.push(new Publisher({ broker: lossy, log }));
      this.registries.push(
        new RoomRegistry({
          broker: lossy,
          storage: this.storage,
          clock: this.clock,
          log,
          gapFillDelayMs: this.options.withoutGapFill ? Number.MAX_SAFE_INTEGER : GAP_FILL_DELAY_MS,
        }),
      );
    }
    const users = await makeUsers(this.storage, ...Array.from({ length: USERS }, (_, i) => `user${i}`));
    this.userIds = users.map((user) => user.id);
    for (let i = 0; i < CONVERSATIONS; i++) {
      this.conversationIds.push(await makeConversation(this.storage, users[0]!, users.slice(1), `c${i}`));
    }
    for (let i = 0; i < CONNECTIONS; i++) {
      this.connections.push(new Connection(i, this.userIds[i % USERS]!, i % PROCESSES));
    }
    for (const connection of this.connections) {
      for (const conversationId of this.conversationIds) {
        await this.beginJoin(connection, conversationId);
        await this.completeJoin(this.pendingJoins.length - 1);
      }
    }
  }

  /** Runs the seeded schedule, then lets every delay and gap fill run out. */
  async run(): Promise<void> {
    for (let step = 0; step < this.options.steps; step++) {
      const action = this.random.weighted({
        send: 40,
        edit: 10,
        react: 12,
        leave: 6,
        rejoin: 8,
        complete: 8,
        tick: 24,
      });
      await this.act(action);
    }
    while (this.pendingJoins.length > 0) await this.completeJoin(0);
    for (let i = 0; i < 40; i++) await this.tick(GAP_FILL_DELAY_MS);
  }

  private async act(
    action: 'send' | 'edit' | 'react' | 'leave' | 'rejoin' | 'complete' | 'tick',
  ): Promise<void> {
    const connection = this.random.pick(this.connections);
    const conversationId = this.random.pick(this.conversationIds);
    const publisher = this.publishers[connection.process]!;
    const user = { id: connection.userId, email: '', display_name: '', is_agent: false };
    switch (action) {
      case 'send': {
        const count = this.random.int(1, 4);
        const outcomes = await this.storage.appendMessages(
          Array.from({ length: count }, () => newMessage(conversationId, user, `s${this.sent.length}`)),
        );
        for (const outcome of outcomes) {
          if (outcome.status !== 'created') continue;
          this.sent.push(outcome.message);
          void publisher.messageCreated(outcome.message);
        }
        this.steps.push(`send(c${connection.index},${count})`);
        break;
      }
      case 'edit':
      case 'react': {
        const own = this.sent.filter(
          (message) => action === 'react' || message.sender_id === connection.userId,
        );
        if (own.length === 0) break;
        const target = this.random.pick(own);
        const outcome =
          action === 'edit'
            ? await this.storage.editMessage({
                message_id: target.id,
                user_id: connection.userId,
                body: `edit ${this.steps.length}`,
                now: new Date(this.clock.now()),
              })
            : await this.storage.setReaction({
                message_id: target.id,
                user_id: connection.userId,
                reaction: this.random.pick(['❤️', '👍', null]),
              });
        if (outcome.status === 'changed') void publisher.messageUpdated(outcome.message, outcome.change);
        this.steps.push(`${action}(c${connection.index})`);
        break;
      }
      case 'leave': {
        // A leave may overtake the connection's own join: the join is then dropped.
        const pending = this.pendingIndex(connection, conversationId);
        if (!connection.sessionSeq.has(conversationId) && pending < 0) break;
        this.registries[connection.process]!.remove(connection, conversationId);
        connection.sessionSeq.delete(conversationId);
        if (pending >= 0) this.pendingJoins.splice(pending, 1);
        this.steps.push(`leave(c${connection.index})`);
        break;
      }
      case 'rejoin':
        if (connection.sessionSeq.has(conversationId) || this.pendingIndex(connection, conversationId) >= 0)
          break;
        await this.beginJoin(connection, conversationId);
        this.steps.push(`rejoin(c${connection.index})`);
        break;
      case 'complete':
        if (this.pendingJoins.length === 0) break;
        this.steps.push(`joined(c${this.pendingJoins[0]!.connection.index})`);
        await this.completeJoin(this.random.int(0, this.pendingJoins.length - 1));
        break;
      case 'tick': {
        const ms = this.random.int(0, 400);
        await this.tick(ms);
        this.steps.push(`tick(${ms})`);
        break;
      }
    }
    await settle();
  }

  private pendingIndex(connection: Connection, conversationId: string): number {
    return this.pendingJoins.findIndex(
      (join) => join.connection === connection && join.conversationId === conversationId,
    );
  }

  /**
   * The server's join, in its two halves with other steps free to run between
   * them: into the room first (changes from then on are kept for the
   * connection), later the snapshot, then what came meanwhile.
   */
  private async beginJoin(connection: Connection, conversationId: string): Promise<void> {
    const room = await this.registries[connection.process]!.beginJoin(connection, conversationId);
    this.pendingJoins.push({ connection, conversationId, room });
  }

  private async completeJoin(index: number): Promise<void> {
    const [pending] = this.pendingJoins.splice(index, 1);
    if (!pending) return;
    const { connection, conversationId, room } = pending;
    const snapshot = await this.storage.joinSnapshot(conversationId, connection.resumeSeq(conversationId));
    if (!connection.view.has(conversationId)) connection.view.set(conversationId, new Map());
    for (const message of snapshot.messages) connection.apply(message);
    connection.sessionSeq.set(conversationId, snapshot.last_seq);
    if (snapshot.has_more)
      throw new Error('the schedule outgrew one join page; raise JOIN_SINCE_MAX or shorten it');
    room.completeJoin(connection, snapshot.last_seq);
  }

  private async tick(ms: number): Promise<void> {
    this.clock.advance(ms);
    await settle();
  }

  /** Every violation seen as frames arrived, then every joined view that differs from storage. */
  async problems(): Promise<string[]> {
    const problems = this.connections.flatMap((connection) => connection.violations);
    for (const conversationId of this.conversationIds) {
      const stored = (await this.storage.messagesBefore(conversationId, undefined, 100_000)).messages;
      for (const connection of this.connections) {
        if (!connection.sessionSeq.has(conversationId)) continue;
        const view = connection.view.get(conversationId) ?? new Map<string, Message>();
        const missing = stored.filter((message) => view.get(message.id)?.updated_seq !== message.updated_seq);
        if (missing.length > 0) {
          problems.push(
            `c${connection.index} differs from storage in ${missing.length} of ${stored.length} messages`,
          );
        }
      }
    }
    return problems;
  }

  async dispose(): Promise<void> {
    await this.storage.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Lets storage answer and every promise chain it starts run out. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}
