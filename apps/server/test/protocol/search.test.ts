import type { SearchResponse } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { api, createConversation, type TestUser } from '../support/fixtures';
import { sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';

// docs/protocol.md section 12: search.

const cast = useProtocolServer();
const { sockets } = cast;

async function search(user: TestUser, query: string) {
  const response = await api(cast.server, user.token, 'GET', `/api/search?${query}`);
  return {
    status: response.status,
    body: (await response.json()) as SearchResponse & { error?: { code: string } },
  };
}

const word = () => `w${Math.random().toString(36).slice(2, 8)}`;

describe('search', () => {
  it('search: every word of q in any order, newest first, with the conversation and the code-point ranges of the words', async () => {
    const conversation = await createConversation(cast.server, cast.alice, [cast.bob]);
    const socket = await sockets.connect(cast.alice);
    const tag = word();
    await sendMessage(socket, conversation.id, `Ünïcode ${tag} first`);
    const newer = await sendMessage(socket, conversation.id, `then 🎉 ${tag} and UNICODE`);
    const { status, body } = await search(cast.bob, `q=${encodeURIComponent(`unicode ${tag}`)}`);
    expect(status).toBe(200);
    expect(body.results.map((r) => r.message.id)[0]).toBe(newer.id);
    expect(body.results).toHaveLength(2);
    expect(body.results[0]).toMatchObject({ conversation_id: conversation.id });
    // "then 🎉 " is 7 code points (the emoji is one).
    expect(body.results[0]?.matches).toEqual([
      [7, 7 + tag.length],
      [7 + tag.length + 5, 7 + tag.length + 12],
    ]);
  });

  it('search: an edited message is found by its new text only; unsent and system messages never', async () => {
    const conversation = await createConversation(cast.server, cast.alice, [cast.bob, cast.carol], 'Plans');
    const socket = await sockets.connect(cast.alice);
    const [before, after, gone] = [word(), word(), word()];
    const message = await sendMessage(socket, conversation.id, `say ${before}`);
    await socket.request({ type: 'edit_message', message_id: message.id, body: `say ${after}`, ref: 'e' });
    const unsent = await sendMessage(socket, conversation.id, `say ${gone}`);
    await socket.request({ type: 'delete_message', message_id: unsent.id, ref: 'd' });
    await api(cast.server, cast.alice.token, 'PATCH', `/api/conversations/${conversation.id}`, {
      title: gone,
    });
    expect((await search(cast.alice, `q=${before}`)).body.results).toEqual([]);
    expect((await search(cast.alice, `q=${after}`)).body.results.map((r) => r.message.id)).toEqual([
      message.id,
    ]);
    expect((await search(cast.alice, `q=${gone}`)).body.results).toEqual([]);
  });

  it("search: only the caller's conversations; conversation_id narrows it (403 when not a member)", async () => {
    const mine = await createConversation(cast.server, cast.alice, [cast.bob]);
    const theirs = await createConversation(cast.server, cast.carol, [cast.mallory]);
    const tag = word();
    await sendMessage(await sockets.connect(cast.alice), mine.id, `${tag} here`);
    await sendMessage(await sockets.connect(cast.carol), theirs.id, `${tag} there`);
    expect((await search(cast.bob, `q=${tag}`)).body.results.map((r) => r.conversation_id)).toEqual([
      mine.id,
    ]);
    expect((await search(cast.carol, `q=${tag}&conversation_id=${theirs.id}`)).body.results).toHaveLength(1);
    expect((await search(cast.bob, `q=${tag}&conversation_id=${theirs.id}`)).status).toBe(403);
  });

  it('search: pages with before and has_more; limit at most 50', async () => {
    const conversation = await createConversation(cast.server, cast.alice, [cast.bob]);
    const socket = await sockets.connect(cast.alice);
    const tag = word();
    for (let i = 0; i < 3; i++) await sendMessage(socket, conversation.id, `${tag} ${i}`);
    const first = await search(cast.alice, `q=${tag}&limit=2`);
    expect(first.body.has_more).toBe(true);
    const rest = await search(cast.alice, `q=${tag}&limit=2&before=${first.body.results[1]!.message.id}`);
    expect(rest.body.results.map((r) => r.message.body)).toEqual([`${tag} 0`]);
    expect(rest.body.has_more).toBe(false);
    expect((await search(cast.alice, `q=${tag}&limit=500`)).status).toBe(200);
  });

  it('search: a q with no word is 400', async () => {
    expect((await search(cast.alice, 'q=')).status).toBe(400);
    expect((await search(cast.alice, `q=${encodeURIComponent(' !!? ')}`)).status).toBe(400);
    expect((await search(cast.alice, '')).status).toBe(400);
  });
});
