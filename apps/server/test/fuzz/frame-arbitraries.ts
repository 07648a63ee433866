import fc from 'fast-check';
import { ClientFrame, MAX_FRAME_BYTES, TAPBACKS } from '@chat/protocol';

/** Every client frame type, read from the union (a new type is fuzzed as soon as it is added). */
export const CLIENT_FRAME_TYPES: string[] = ClientFrame.options.map((option) => option.shape.type.value);

/** Values of every JSON shape, including the wrong ones: what a hostile client puts in a field. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '__proto__', 'constructor', '\ud800', '-1', '1e309'),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
);

export interface IdPool {
  /** Ids the server knows, of conversations and messages, some of them the fuzzer's own. */
  known: readonly string[];
}

export function idArb(pool: IdPool): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...pool.known) },
    { weight: 2, arbitrary: fc.uuid({ version: [4, 7] }) },
    { weight: 1, arbitrary: fc.constant('00000000-0000-0000-0000-000000000000') },
    { weight: 2, arbitrary: junk },
  );
}

/** A body: short, unicode, around the 4000 code point limit, white space, or not a string at all. */
export const bodyArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '\n\t', 'a\u0000b', '\u202eevil', '👩‍👩‍👧‍👦') },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 3995, max: 4005 }).map((n) => 'é'.repeat(n)),
  },
  { weight: 1, arbitrary: fc.integer({ min: 3995, max: 4005 }).map((n) => '😀'.repeat(n)) },
  { weight: 1, arbitrary: junk },
);

const reactionArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(...TAPBACKS, '👍', '🇫🇷', '1️⃣', null) },
  { weight: 1, arbitrary: fc.constantFrom('👍👍', 'love ', 'LOVE', 'x', '') },
  { weight: 1, arbitrary: junk },
);

const seqArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 50 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 2 ** 53, 1.5, Number.MAX_SAFE_INTEGER) },
  { weight: 1, arbitrary: junk },
);

/** The fields of each client frame type, each drawn from good and bad values. */
export function fieldsOf(
  pool: IdPool,
  tokens: fc.Arbitrary<unknown>,
): Record<string, fc.Arbitrary<Record<string, unknown>>> {
  const id = idArb(pool);
  const ids = fc.oneof(fc.array(id, { maxLength: 4 }), junk);
  return {
    authenticate: fc.record({ token: tokens }),
    join_conversation: fc.record(
      { conversation_id: id, since_seq: seqArb },
      { requiredKeys: ['conversation_id'] },
    ),
    leave_conversation: fc.record({ conversation_id: id }),
    send_message: fc.record(
      {
        conversation_id: id,
        client_id: fc.oneof(fc.uuid({ version: 4 }), junk),
        body: bodyArb,
        reply_to: fc.oneof(id, fc.constant(null)),
        mentions: ids,
        attachment_ids: ids,
      },
      { requiredKeys: ['conversation_id', 'client_id', 'body'] },
    ),
    typing: fc.record({ conversation_id: id, is_typing: fc.oneof(fc.boolean(), junk) }),
    mark_read: fc.record({ conversation_id: id, seq: seqArb }),
    edit_message: fc.record({ message_id: id, body: bodyArb }),
    delete_message: fc.record({ message_id: id }),
    react: fc.record({ message_id: id, reaction: reactionArb }),
    ping: fc.record({}),
  };
}

/** One client frame as an object: a known type (or a wrong one) with fields good and bad, some missing, some extra. */
export function frameObjectArb(
  pool: IdPool,
  tokens: fc.Arbitrary<unknown>,
): fc.Arbitrary<Record<string, unknown>> {
  const fields = fieldsOf(pool, tokens);
  const known = CLIENT_FRAME_TYPES.map((type) =>
    (fields[type] ?? fc.record({})).map((body) => ({ type, ...body }) as Record<string, unknown>),
  );
  const wellTyped = fc.oneof(...known);
  return fc
    .tuple(
      fc.oneof(
        { weight: 12, arbitrary: wellTyped },
        { weight: 1, arbitrary: junk.map((type) => ({ type })) },
      ),
      fc.option(fc.nat({ max: 8 }), { freq: 6 }),
      fc.option(fc.tuple(fc.string({ maxLength: 10 }), junk), { freq: 6 }),
    )
    .map(([frame, dropIndex, extra]) => {
      const result: Record<string, unknown> = { ...frame };
      if (dropIndex !== null) {
        const keys = Object.keys(result);
        const key = keys[dropIndex % keys.length];
        if (key !== undefined) delete result[key];
      }
      if (extra !== null && extra[0] !== 'type') result[extra[0]] = extra[1];
      return result;
    });
}

/** The raw text of a frame: mostly JSON objects, sometimes broken JSON, other JSON values, or more than the 64 KiB a frame may hold. */
export function frameTextArb(pool: IdPool, tokens: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 20, arbitrary: frameObjectArb(pool, tokens).map((frame) => JSON.stringify(frame)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: frameObjectArb(pool, tokens).map((frame) => JSON.stringify(frame).slice(0, -1)),
    },
  );
}

/** A text frame over the server's 64 KiB: the socket is closed with 1009. */
export const OVERSIZE_TEXT = JSON.stringify({ type: 'ping', pad: 'x'.repeat(MAX_FRAME_BYTES) });

export interface WellFormedPool {
  /** A conversation the fuzzer is a member of, and messages in it. */
  conversationId: string;
  messageIds: readonly string[];
  /** Ids of the fuzzer's own conversations' members. */
  memberIds: readonly string[];
}

/** Frames that pass the schemas, aimed at things that exist: the handlers' own rules decide. */
export function wellFormedFrameArb(pool: WellFormedPool): fc.Arbitrary<Record<string, unknown>> {
  const messageId = fc.constantFrom(...pool.messageIds);
  const body = fc.oneof(
    fc.string({ minLength: 1, maxLength: 30 }).filter((text) => /\S/u.test(text)),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((text) => /\S/u.test(text)),
  );
  return fc.oneof(
    fc.record(
      {
        type: fc.constant('send_message'),
        conversation_id: fc.constant(pool.conversationId),
        client_id: fc.uuid({ version: 4 }),
        body,
        reply_to: fc.option(messageId, { nil: undefined }),
        mentions: fc.option(fc.subarray([...pool.memberIds]), { nil: undefined }),
      },
      { requiredKeys: ['type', 'conversation_id', 'client_id', 'body'] },
    ),
    fc.record({
      type: fc.constant('typing'),
      conversation_id: fc.constant(pool.conversationId),
      is_typing: fc.boolean(),
    }),
    fc.record({
      type: fc.constant('mark_read'),
      conversation_id: fc.constant(pool.conversationId),
      seq: fc.nat({ max: 40 }),
    }),
    fc.record({
      type: fc.constant('join_conversation'),
      conversation_id: fc.constant(pool.conversationId),
      since_seq: fc.nat({ max: 40 }),
    }),
    fc.record({ type: fc.constant('leave_conversation'), conversation_id: fc.constant(pool.conversationId) }),
    fc.record({ type: fc.constant('edit_message'), message_id: messageId, body }),
    fc.record({ type: fc.constant('delete_message'), message_id: messageId }),
    fc.record({
      type: fc.constant('react'),
      message_id: messageId,
      reaction: fc.constantFrom<string | null>(...TAPBACKS, '👍', null),
    }),
  );
}
