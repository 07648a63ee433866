import { conversationTopic, type Broker, type Unsubscribe } from '../broker/broker';
import type { Cancel, Clock } from '../clock';
import type { Logger } from '../logger';
import type { Storage } from '../storage/storage';
import { storedChangeEvent } from './change-events';
import { ConversationRoom, GAP_FILL_PAGE } from './conversation-room';
import type { Recipient } from './recipient';

interface RoomEntry {
  room: ConversationRoom;
  ready: Promise<void>;
  unsubscribe: Promise<Unsubscribe | null>;
}

export interface RoomRegistryDeps {
  broker: Broker;
  storage: Storage;
  clock: Clock;
  log: Logger;
  gapFillDelayMs: number;
  /** See RoomDeps.typingExpiryMs. */
  typingExpiryMs?: number;
  /**
   * Every this often, each room that delivered nothing for as long compares its
   * seq with storage's last_seq (one indexed read) and fills what is missing:
   * the backstop for a change lost with no later one to reveal it. 0: never.
   */
  resyncIntervalMs?: number;
}

/**
 * Rooms compared with storage in one read. A pass over 1,900 idle rooms read
 * each counter in a transaction of its own, every 5 s (issue 13: idle CPU).
 */
const RESYNC_BATCH = 500;

/**
 * The rooms of this process: one per conversation with a joined connection,
 * each with one broker subscription, dropped when its last connection leaves.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, RoomEntry>();
  private readonly stopTimer: Cancel | null;
  private readonly stopListening: (() => void) | undefined;
  private resyncing: Promise<void> | null = null;

  constructor(private readonly deps: RoomRegistryDeps) {
    const interval = deps.resyncIntervalMs ?? 0;
    this.stopTimer =
      interval > 0
        ? deps.clock.setInterval(
            () => void this.resync((room) => !room.activeWithin(interval), true),
            interval,
          )
        : null;
    // Whatever other processes published while the broker was away is missed: catch up now.
    this.stopListening = deps.broker.onResubscribed?.(() => void this.resync(() => true));
  }

  /** How many rooms this process holds. */
  get size(): number {
    return this.rooms.size;
  }

  /**
   * Compares each chosen started room's seq with storage's last_seq and has it
   * read what it misses. Resolves when every comparison is made (the fills may
   * still be running). One pass at a time: a periodic pass is skipped while
   * another runs, a pass of every room waits its turn.
   */
  resync(choose: (room: ConversationRoom) => boolean, periodic = false): Promise<void> {
    if (periodic && this.resyncing) return this.resyncing;
    const pass = (this.resyncing ?? Promise.resolve()).then(() => this.resyncPass(choose));
    this.resyncing = pass;
    void pass.finally(() => {
      if (this.resyncing === pass) this.resyncing = null;
    });
    return pass;
  }

  /** Stops the periodic resync (the server is stopping). */
  close(): void {
    this.stopTimer?.();
    this.stopListening?.();
  }

  private async resyncPass(choose: (room: ConversationRoom) => boolean): Promise<void> {
    const due: Array<[string, ConversationRoom]> = [];
    for (const [conversationId, { room }] of this.rooms) {
      if (room.seq !== null && choose(room)) due.push([conversationId, room]);
    }
    for (let from = 0; from < due.length; from += RESYNC_BATCH) {
      const batch = due.slice(from, from + RESYNC_BATCH);
      try {
        const lastSeqs = await this.deps.storage.lastSeqs(batch.map(([conversationId]) => conversationId));
        for (const [conversationId, room] of batch) room.catchUp(lastSeqs.get(conversationId) ?? 0);
      } catch (error) {
        this.deps.log.warn({ err: error, rooms: batch.length }, 'resync read failed');
      }
    }
  }

  /**
   * Puts the recipient in the room as joining (changes from now on are kept
   * for it) and resolves once the room is in step with storage.
   */
  async beginJoin(recipient: Recipient, conversationId: string): Promise<ConversationRoom> {
    const entry = this.rooms.get(conversationId) ?? this.open(conversationId);
    entry.room.beginJoin(recipient);
    await entry.ready;
    return entry.room;
  }

  remove(recipient: Recipient, conversationId: string): void {
    const entry = this.rooms.get(conversationId);
    if (!entry) return;
    entry.room.remove(recipient);
    if (entry.room.size > 0) return;
    this.rooms.delete(conversationId);
    entry.room.dispose();
    void entry.unsubscribe
      .then((unsubscribe) => unsubscribe?.())
      .catch((error: unknown) => {
        this.deps.log.error({ err: error, conversationId }, 'unsubscribe failed');
      });
  }

  private open(conversationId: string): RoomEntry {
    const { broker, storage, clock, log, gapFillDelayMs, typingExpiryMs } = this.deps;
    const room = new ConversationRoom({
      conversationId,
      gapFillDelayMs,
      ...(typingExpiryMs === undefined ? {} : { typingExpiryMs }),
      clock,
      log,
      changesSince: async (sinceSeq) =>
        (await storage.changesSince(conversationId, sinceSeq, GAP_FILL_PAGE)).map(storedChangeEvent),
    });
    const unsubscribe = broker.subscribe(conversationTopic(conversationId), (event) => room.onEvent(event));
    const ready = unsubscribe.then(async () => room.start(await storage.lastSeq(conversationId)));
    const entry: RoomEntry = { room, ready, unsubscribe: unsubscribe.catch(() => null) };
    this.rooms.set(conversationId, entry);
    // A room that cannot start must not stay cached: the next join tries again.
    ready.catch(() => {
      if (this.rooms.get(conversationId) === entry) this.rooms.delete(conversationId);
    });
    return entry;
  }
}
