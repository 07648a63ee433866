import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import type { OutboxStore, PendingMessage } from './types';

const STORE = 'pending';

interface OutboxSchema extends DBSchema {
  [STORE]: { key: string; value: PendingMessage };
}

type OutboxDatabase = IDBPDatabase<OutboxSchema>;

/**
 * An OutboxStore in the browser's IndexedDB: sends typed before a reload, a
 * crash or a closed tab are still there on the next start, and go out then.
 * Use one database per signed-in user (e.g. `chat-outbox:<user id>`), so that
 * one account never sends another's messages.
 *
 * Failures reject with the DOMException IndexedDB gives (its `name` is the
 * code: `QuotaExceededError`, `NotSupportedError`, ...).
 */
export function createIndexedDbOutbox(dbName = 'chat-outbox'): OutboxStore {
  let opening: Promise<OutboxDatabase> | undefined;
  let opened: OutboxDatabase | undefined;
  /** Lets go of the connection; the next use opens a new one. */
  const forget = () => {
    opened?.close();
    opened = undefined;
    opening = undefined;
  };

  const open = (): Promise<OutboxDatabase> => {
    if (typeof indexedDB === 'undefined') {
      return Promise.reject(new DOMException('IndexedDB is not available here', 'NotSupportedError'));
    }
    opening ??= openDB<OutboxSchema>(dbName, 1, {
      upgrade(db) {
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'client_id' });
      },
      // Another tab wants a newer schema: close so that its upgrade can run (a blocked open
      // waits for exactly this in the other tab).
      blocking: forget,
      // The browser closed the database under us (storage cleared, disk error).
      terminated: forget,
    }).then(
      (db) => (opened = db),
      (error: unknown) => {
        opening = undefined;
        throw error;
      },
    );
    return opening;
  };

  return {
    load: async () => {
      const db = await open();
      const items = await db.getAll(STORE);
      return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
    },
    // Resolved on commit (`done`), not on the request's success: only then is it durable.
    put: async (message) => {
      const transaction = (await open()).transaction(STORE, 'readwrite');
      await Promise.all([transaction.store.put({ ...message }), transaction.done]);
    },
    delete: async (clientId) => {
      const transaction = (await open()).transaction(STORE, 'readwrite');
      await Promise.all([transaction.store.delete(clientId), transaction.done]);
    },
  };
}
