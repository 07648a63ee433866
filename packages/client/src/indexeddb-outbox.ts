import type { OutboxStore, PendingMessage } from './types';

/*
 * The few IndexedDB shapes used here, declared locally: the client package is
 * type-checked without the DOM library (it runs in Node too).
 */
interface IdbRequest<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
  onblocked: (() => void) | null;
}
interface IdbObjectStore {
  getAll(): IdbRequest<PendingMessage[]>;
  put(value: PendingMessage): IdbRequest<unknown>;
  delete(key: string): IdbRequest<unknown>;
}
interface IdbTransaction {
  objectStore(name: string): IdbObjectStore;
  error: unknown;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}
interface IdbDatabase {
  objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string, options: { keyPath: string }): unknown;
  transaction(name: string, mode: 'readonly' | 'readwrite'): IdbTransaction;
  close(): void;
  onversionchange: (() => void) | null;
}
interface IdbFactory {
  open(name: string, version: number): IdbOpenRequest;
}

const STORE = 'pending';

/**
 * An OutboxStore in the browser's IndexedDB: sends typed before a reload, a
 * crash or a closed tab are still there on the next start, and go out then.
 * Use one database per signed-in user (e.g. `chat-outbox:<user id>`), so that
 * one account never sends another's messages.
 */
export function createIndexedDbOutbox(dbName = 'chat-outbox'): OutboxStore {
  let opening: Promise<IdbDatabase> | undefined;

  const open = (): Promise<IdbDatabase> => {
    opening ??= new Promise<IdbDatabase>((resolve, reject) => {
      const factory = (globalThis as { indexedDB?: IdbFactory }).indexedDB;
      if (!factory) {
        reject(new Error('IndexedDB is not available here'));
        return;
      }
      const request = factory.open(dbName, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) {
          request.result.createObjectStore(STORE, { keyPath: 'client_id' });
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading the schema: let it, and reopen on next use.
        db.onversionchange = () => {
          db.close();
          opening = undefined;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error(`IndexedDB "${dbName}" is blocked by another tab`));
    }).catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };

  const run = async <T>(
    mode: 'readonly' | 'readwrite',
    operation: (store: IdbObjectStore) => IdbRequest<T>,
  ): Promise<T> => {
    const db = await open();
    return new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = operation(transaction.objectStore(STORE));
      // Resolve on commit, not on the request's success: only then is it durable.
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
  };

  return {
    load: async () => {
      const items = await run('readonly', (store) => store.getAll());
      return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
    },
    put: async (message) => {
      await run('readwrite', (store) => store.put({ ...message }));
    },
    delete: async (clientId) => {
      await run('readwrite', (store) => store.delete(clientId));
    },
  };
}
