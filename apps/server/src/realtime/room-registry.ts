import { conversationTopic, type Broker, type Unsubscribe } from '../broker/broker';
import type { Clock } from '../clock';
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
}

/**
 * The rooms of this process: one per conversation with a joined connection,
 * each with one broker subscription, dropped when its last connection leaves.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, RoomEntry>();

  constructor(private readonly deps: RoomRegistryDeps) {}

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
    const { broker, storage, clock, log, gapFillDelayMs } = this.deps;
    const room = new ConversationRoom({
      conversationId,
      gapFillDelayMs,
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
