import { randomUUID } from 'node:crypto';
import { StrictMode } from 'react';
import type { ReactNode } from 'react';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { useConversation, useConversationList, useWebSocket } from '../../src/hooks/use-websocket';
import type { UseWebSocketOptions } from '../../src/hooks/use-websocket';
import { ServerProcess } from '../../../../packages/client/test/support/server-process';
import { createConversation, createUser } from '../../../../packages/client/test/support/fixtures';
import type { TestUser } from '../../../../packages/client/test/support/fixtures';

/*
 * The hooks against a REAL server (in a process of its own: happy-dom's globals
 * cannot host it) over real `ws` sockets. Every wait is for a condition, with
 * generous timeouts: no timing assertions.
 */

let server: ServerProcess;
const WAIT = { timeout: 15_000 };
const FAST = { backoff: { initialMs: 20, maxMs: 250 } };

beforeAll(async () => {
  server = await ServerProcess.start();
  // As in production, the page comes from the chat server: REST calls are same-origin.
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${server.url}/`);
});
afterEach(() => cleanup());
afterAll(async () => {
  await server.dispose();
});

function options(user: TestUser): UseWebSocketOptions {
  return {
    url: server.wsUrl,
    getToken: async () => user.token,
    userId: user.id,
    WebSocket,
    clientOptions: FAST,
  };
}

/** What a chat screen does: one session and one open conversation. */
function useChat(user: TestUser, conversationId: string) {
  const chat = useWebSocket(options(user));
  const view = useConversation(chat.client, conversationId);
  return { ...chat, view };
}

async function twoPeople() {
  const alice = await createUser(server, 'Alice');
  const bob = await createUser(server, 'Bob');
  const conversation = await createConversation(server, alice, [bob]);
  const a = renderHook(() => useChat(alice, conversation.id));
  const b = renderHook(() => useChat(bob, conversation.id));
  await waitFor(() => {
    expect(a.result.current.status).toBe('open');
    expect(b.result.current.status).toBe('open');
    expect(a.result.current.view.joined).toBe(true);
    expect(b.result.current.view.joined).toBe(true);
  }, WAIT);
  return { alice, bob, conversationId: conversation.id, a, b };
}

describe('useWebSocket + useConversation', () => {
  test('connect, authenticate, join, send and receive', async () => {
    const { alice, a, b, conversationId } = await twoPeople();
    expect(a.result.current.client.user?.id).toBe(alice.id);
    act(() => {
      a.result.current.sendChatMessage(conversationId, 'hello from a hook');
    });
    expect(a.result.current.view.pending.map((item) => item.body)).toEqual(['hello from a hook']);
    await waitFor(() => {
      expect(b.result.current.view.messages.map((m) => m.body)).toEqual(['hello from a hook']);
      expect(a.result.current.view.pending).toEqual([]);
    }, WAIT);
    expect(b.result.current.view.messages[0]!.sender_id).toBe(alice.id);
  });

  test('typing on and off', async () => {
    const { alice, a, b, conversationId } = await twoPeople();
    act(() => a.result.current.sendTyping(conversationId, true));
    await waitFor(() => expect(b.result.current.view.typingUserIds).toEqual([alice.id]), WAIT);
    act(() => a.result.current.sendTyping(conversationId, false));
    await waitFor(() => expect(b.result.current.view.typingUserIds).toEqual([]), WAIT);
  });

  test('read receipts', async () => {
    const { bob, a, b, conversationId } = await twoPeople();
    act(() => {
      a.result.current.sendChatMessage(conversationId, 'did you read this?');
    });
    await waitFor(() => expect(b.result.current.view.messages).toHaveLength(1), WAIT);
    const seq = b.result.current.view.messages[0]!.seq;
    await act(() => b.result.current.markRead(conversationId, seq));
    await waitFor(() => {
      const reader = a.result.current.view.members.find((member) => member.user_id === bob.id);
      expect(reader?.read_seq).toBe(seq);
    }, WAIT);
  });

  test('edits, reactions and unsends', async () => {
    const { bob, a, b, conversationId } = await twoPeople();
    act(() => {
      a.result.current.sendChatMessage(conversationId, 'teh');
    });
    await waitFor(() => expect(b.result.current.view.messages).toHaveLength(1), WAIT);
    const id = b.result.current.view.messages[0]!.id;
    await act(() => a.result.current.editMessage(id, 'the'));
    await waitFor(() => expect(b.result.current.view.messages[0]!.body).toBe('the'), WAIT);
    expect(b.result.current.view.messages[0]!.edited_at).not.toBeNull();
    await act(() => b.result.current.react(id, 'laugh'));
    await waitFor(
      () => expect(a.result.current.view.messages[0]!.reactions).toEqual({ laugh: [bob.id] }),
      WAIT,
    );
    await act(() => a.result.current.unsendMessage(id));
    await waitFor(() => expect(b.result.current.view.messages[0]!.deleted_at).not.toBeNull(), WAIT);
    await expect(b.result.current.editMessage(randomUUID(), 'nope')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  test('recovery after the server restarts: resumed, outbox resent, nothing doubled', async () => {
    const { a, b, conversationId } = await twoPeople();
    act(() => {
      a.result.current.sendChatMessage(conversationId, 'before the restart');
    });
    await waitFor(() => expect(b.result.current.view.messages).toHaveLength(1), WAIT);

    await server.stop();
    await waitFor(() => expect(a.result.current.status).not.toBe('open'), WAIT);
    act(() => {
      a.result.current.sendChatMessage(conversationId, 'typed while the server was down');
    });
    await server.start();

    await waitFor(() => {
      expect(a.result.current.status).toBe('open');
      expect(b.result.current.status).toBe('open');
      expect(b.result.current.view.messages.map((m) => m.body)).toEqual([
        'before the restart',
        'typed while the server was down',
      ]);
      expect(a.result.current.view.pending).toEqual([]);
    }, WAIT);
    act(() => {
      b.result.current.sendChatMessage(conversationId, 'and after');
    });
    await waitFor(() => expect(a.result.current.view.messages).toHaveLength(3), WAIT);
    expect(new Set(a.result.current.view.messages.map((m) => m.id)).size).toBe(3);
  });
});

describe('one client per session', () => {
  test('re-renders with new inline options keep the same client and socket', async () => {
    const alice = await createUser(server, 'Alice');
    let renders = 0;
    const { result, rerender } = renderHook(() => {
      renders++;
      // A new options object and a new getToken every render.
      return useWebSocket({ ...options(alice), getToken: async () => alice.token });
    });
    await waitFor(() => expect(result.current.status).toBe('open'), WAIT);
    const client = result.current.client;
    const actions = result.current.sendChatMessage;
    rerender();
    rerender();
    expect(renders).toBeGreaterThanOrEqual(3);
    expect(result.current.client).toBe(client);
    expect(result.current.sendChatMessage).toBe(actions);
    expect(result.current.status).toBe('open');
  });

  test('a new user gets a new client; unmount closes the session', async () => {
    const alice = await createUser(server, 'Alice');
    const bob = await createUser(server, 'Bob');
    const { result, rerender, unmount } = renderHook(({ user }) => useWebSocket(options(user)), {
      initialProps: { user: alice },
    });
    await waitFor(() => expect(result.current.client.user?.id).toBe(alice.id), WAIT);
    const first = result.current.client;
    rerender({ user: bob });
    expect(result.current.client).not.toBe(first);
    await waitFor(() => expect(result.current.client.user?.id).toBe(bob.id), WAIT);
    expect(first.status).toBe('closed');
    const second = result.current.client;
    unmount();
    expect(second.status).toBe('closed');
  });

  test('works under StrictMode (effects run twice)', async () => {
    const alice = await createUser(server, 'Alice');
    const bob = await createUser(server, 'Bob');
    const conversation = await createConversation(server, alice, [bob]);
    const wrapper = ({ children }: { children: ReactNode }) => <StrictMode>{children}</StrictMode>;
    const { result } = renderHook(() => useChat(alice, conversation.id), { wrapper });
    await waitFor(() => expect(result.current.view.joined).toBe(true), WAIT);
    act(() => {
      result.current.sendChatMessage(conversation.id, 'strict');
    });
    await waitFor(() => expect(result.current.view.messages.map((m) => m.body)).toEqual(['strict']), WAIT);
  });
});

describe('browser signals', () => {
  test("'offline' shows offline at once; 'online' reconnects at once", async () => {
    const alice = await createUser(server, 'Alice');
    const { result } = renderHook(() =>
      useWebSocket({ ...options(alice), clientOptions: { backoff: { initialMs: 60_000, maxMs: 60_000 } } }),
    );
    await waitFor(() => expect(result.current.status).toBe('open'), WAIT);
    act(() => {
      window.dispatchEvent(new Event('offline'));
    });
    expect(result.current.status).toBe('offline');
    // The backoff here is a minute: only the 'online' event can bring it back in time.
    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    await waitFor(() => expect(result.current.status).toBe('open'), WAIT);
  });
});

describe('useConversationList', () => {
  test('loads and stays live', async () => {
    const alice = await createUser(server, 'Alice');
    const bob = await createUser(server, 'Bob');
    const b = renderHook(() => {
      const chat = useWebSocket(options(bob));
      return { ...chat, list: useConversationList(chat.client) };
    });
    await waitFor(() => expect(b.result.current.client.conversationsLoaded).toBe(true), WAIT);
    expect(b.result.current.list).toEqual([]);
    const a = renderHook(() => useWebSocket(options(alice)));
    const conversation = await createConversation(server, alice, [bob]);
    await waitFor(
      () => expect(b.result.current.list.map((item) => item.id)).toEqual([conversation.id]),
      WAIT,
    );
    await waitFor(() => expect(a.result.current.status).toBe('open'), WAIT);
    act(() => {
      a.result.current.sendChatMessage(conversation.id, 'new here?');
    });
    await waitFor(() => {
      expect(b.result.current.list[0]).toMatchObject({
        unread_count: 1,
        last_message: { body: 'new here?' },
      });
    }, WAIT);
  });
});
