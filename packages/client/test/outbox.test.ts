import { describe, expect, test } from 'vitest';
import { createMemoryOutbox } from '../src/index';
import { Outbox } from '../src/outbox';
import type { OutboxStore, PendingMessage } from '../src/index';
import { CONVERSATION } from './support/messages';

function pending(n: number, patch: Partial<PendingMessage> = {}): PendingMessage {
  return {
    client_id: `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`,
    conversation_id: CONVERSATION,
    body: `typed ${n}`,
    reply_to: null,
    created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    state: 'sending',
    ...patch,
  };
}

/** A store whose writes complete only when the test says so. */
function gatedStore(): OutboxStore & { release(): void; writes: number } {
  const inner = createMemoryOutbox();
  let release: () => void = () => {};
  let gate = new Promise<void>((resolve) => (release = resolve));
  const store = {
    writes: 0,
    load: () => inner.load(),
    put: async (message: PendingMessage) => {
      store.writes++;
      await gate;
      await inner.put(message);
    },
    delete: (id: string) => inner.delete(id),
    release: () => {
      release();
      gate = Promise.resolve();
    },
  };
  return store;
}

describe('memory outbox store', () => {
  test('put, load, delete; load returns copies', async () => {
    const store = createMemoryOutbox();
    await store.put(pending(1));
    await store.put(pending(2));
    await store.put({ ...pending(1), state: 'failed' });
    const loaded = await store.load();
    expect(loaded.map((item) => [item.client_id, item.state])).toEqual([
      [pending(1).client_id, 'failed'],
      [pending(2).client_id, 'sending'],
    ]);
    loaded[0]!.body = 'changed';
    expect((await store.load())[0]!.body).toBe('typed 1');
    await store.delete(pending(1).client_id);
    expect(await store.load()).toHaveLength(1);
  });
});

describe('Outbox', () => {
  test('a send is durable (sendable) only after the store has it', async () => {
    const store = gatedStore();
    const outbox = new Outbox(store, () => {});
    const added = outbox.add(pending(1));
    expect(outbox.list(CONVERSATION)).toHaveLength(1); // shown at once
    expect(outbox.isDurable(pending(1).client_id)).toBe(false);
    expect(outbox.sendable()).toEqual([]);
    store.release();
    await added;
    expect(outbox.sendable().map((item) => item.body)).toEqual(['typed 1']);
    expect(await store.load()).toHaveLength(1);
  });

  test('stored sends load first, oldest first, and are sendable at once', async () => {
    const store = createMemoryOutbox();
    await store.put(pending(3));
    await store.put(pending(2));
    const changed: string[] = [];
    const outbox = new Outbox(store, (id) => changed.push(id));
    await outbox.add(pending(4));
    await outbox.load();
    expect(outbox.sendable().map((item) => item.body)).toEqual(['typed 2', 'typed 3', 'typed 4']);
    expect(changed).toContain(CONVERSATION);
    expect(outbox.load()).toBe(outbox.load()); // once
  });

  test('failed sends are not sendable; update and remove reach the store', async () => {
    const store = createMemoryOutbox();
    const outbox = new Outbox(store, () => {});
    await outbox.add(pending(1));
    await outbox.add(pending(2));
    outbox.update(pending(1).client_id, { state: 'failed', error: { code: 'forbidden', message: 'no' } });
    expect(outbox.sendable().map((item) => item.body)).toEqual(['typed 2']);
    expect(outbox.get(pending(1).client_id)?.error).toEqual({ code: 'forbidden', message: 'no' });
    outbox.update(pending(1).client_id, { state: 'sending', error: undefined });
    expect(outbox.get(pending(1).client_id)).not.toHaveProperty('error');
    expect(outbox.remove(pending(2).client_id)).toBe(true);
    expect(outbox.remove(pending(2).client_id)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((await store.load()).map((item) => [item.body, item.state])).toEqual([['typed 1', 'sending']]);
  });

  test('a store that fails to write does not lose the message', async () => {
    const broken: OutboxStore = {
      load: async () => [],
      put: async () => {
        throw new Error('quota exceeded');
      },
      delete: async () => {},
    };
    const outbox = new Outbox(broken, () => {});
    const warn = console.warn;
    console.warn = () => {};
    try {
      await outbox.add(pending(1));
    } finally {
      console.warn = warn;
    }
    expect(outbox.sendable()).toHaveLength(1);
  });
});
