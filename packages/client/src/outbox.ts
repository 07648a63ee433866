import type { OutboxStore, PendingAttachment, PendingMessage } from './types';

/** The default OutboxStore: survives reconnects, not reloads. */
export function createMemoryOutbox(): OutboxStore {
  const items = new Map<string, PendingMessage>();
  return {
    load: async () => [...items.values()].map((item) => ({ ...item })),
    put: async (message) => {
      items.set(message.client_id, { ...message });
    },
    delete: async (clientId) => {
      items.delete(clientId);
    },
  };
}

/**
 * Unacked sends, oldest first, mirrored to a pluggable OutboxStore.
 *
 * A message is written to the store BEFORE it is first sent (`isDurable`), so
 * whatever the server may have seen is also on disk: a reload then resends it
 * with its original client_id, and the server's (sender, client_id) uniqueness
 * turns that into the original ack instead of a double.
 */
export class Outbox {
  private items = new Map<string, PendingMessage>();
  private readonly durable = new Set<string>();
  private loading: Promise<void> | undefined;

  constructor(
    private readonly store: OutboxStore,
    /** Called with the conversation id whenever that conversation's pending list changes. */
    private readonly onChange: (conversationId: string) => void,
  ) {}

  /** Reads the store once (later calls return the same promise); stored items go before newer ones. */
  load(): Promise<void> {
    this.loading ??= this.store.load().then(
      (stored) => {
        const merged = new Map<string, PendingMessage>();
        const sorted = [...stored].sort((a, b) => a.created_at.localeCompare(b.created_at));
        for (const item of sorted) {
          merged.set(item.client_id, item);
          this.durable.add(item.client_id);
        }
        for (const [id, item] of this.items) if (!merged.has(id)) merged.set(id, item);
        this.items = merged;
        for (const conversationId of new Set(sorted.map((item) => item.conversation_id))) {
          this.onChange(conversationId);
        }
      },
      (error: unknown) => {
        console.warn('chat outbox: could not load stored sends', error);
      },
    );
    return this.loading;
  }

  /** Adds a new send and resolves once it is durable (then, and only then, it may be sent). */
  async add(message: PendingMessage): Promise<void> {
    this.items.set(message.client_id, message);
    this.onChange(message.conversation_id);
    await this.persist(message);
  }

  get(clientId: string): PendingMessage | undefined {
    return this.items.get(clientId);
  }

  isDurable(clientId: string): boolean {
    return this.durable.has(clientId);
  }

  /** Replaces an item's state (e.g. 'failed' with its error); the store follows. */
  update(clientId: string, patch: Pick<PendingMessage, 'state' | 'error'>): PendingMessage | undefined {
    const current = this.items.get(clientId);
    if (!current) return undefined;
    const next: PendingMessage = { ...current, state: patch.state };
    if (patch.error) next.error = patch.error;
    else delete next.error;
    this.items.set(clientId, next);
    this.onChange(next.conversation_id);
    void this.persist(next);
    return next;
  }

  /**
   * Replaces an item's files: stored when an upload finished (the id in, the bytes out), memory
   * only for progress (`persist` false).
   */
  setAttachments(clientId: string, attachments: PendingAttachment[], persist = true): void {
    const current = this.items.get(clientId);
    if (!current) return;
    const next: PendingMessage = { ...current, attachments };
    this.items.set(clientId, next);
    this.onChange(next.conversation_id);
    if (persist) void this.persist(next);
  }

  /** Drops an item (acked or discarded); false when it was not there. */
  remove(clientId: string): boolean {
    const current = this.items.get(clientId);
    if (!current) return false;
    this.items.delete(clientId);
    this.durable.delete(clientId);
    this.onChange(current.conversation_id);
    this.store.delete(clientId).catch((error: unknown) => {
      console.warn('chat outbox: could not delete a send', error);
    });
    return true;
  }

  /** One conversation's pending sends, oldest first. */
  list(conversationId: string): PendingMessage[] {
    return [...this.items.values()].filter((item) => item.conversation_id === conversationId);
  }

  /** Everything that should go out on a fresh socket, oldest first. */
  sendable(): PendingMessage[] {
    return [...this.items.values()].filter(
      (item) => item.state === 'sending' && this.durable.has(item.client_id),
    );
  }

  private async persist(message: PendingMessage): Promise<void> {
    try {
      // Progress is of this page only.
      const attachments = message.attachments?.map(({ progress: _progress, ...rest }) => rest);
      await this.store.put(attachments ? { ...message, attachments } : message);
    } catch (error) {
      // A full or broken store must not lose the message: it still goes out from memory.
      console.warn('chat outbox: could not store a send', error);
    }
    if (this.items.has(message.client_id)) this.durable.add(message.client_id);
  }
}
