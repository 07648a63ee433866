import { describe, expect, it } from 'vitest';
import { closeAction, isSingleEmoji, isValidReaction, parseClientFrame, bodyProblem } from '../src/index';

const uuid = '7d3c4d5e-8f90-4a1b-9c2d-3e4f5a6b7c8d';

describe('parseClientFrame', () => {
  it('accepts a well-formed send_message', () => {
    const result = parseClientFrame(
      JSON.stringify({ type: 'send_message', ref: 'r1', conversation_id: uuid, client_id: uuid, body: 'hi' }),
    );
    expect(result.ok).toBe(true);
  });

  it('send_message: an empty body only with attachments; at most 10 attachments; the other body rules stay', () => {
    const send = (fields: object) =>
      parseClientFrame(
        JSON.stringify({ type: 'send_message', conversation_id: uuid, client_id: uuid, ...fields }),
      ).ok;
    expect(send({ body: '', attachment_ids: [uuid] })).toBe(true);
    expect(send({ body: 'look', attachment_ids: [uuid] })).toBe(true);
    expect(send({ body: '' })).toBe(false);
    expect(send({ body: '', attachment_ids: [] })).toBe(false);
    expect(send({ body: '   ', attachment_ids: [uuid] })).toBe(false);
    expect(send({ body: 'x'.repeat(4001), attachment_ids: [uuid] })).toBe(false);
    expect(send({ body: '', attachment_ids: Array.from({ length: 11 }, () => uuid) })).toBe(false);
    expect(send({ body: '', attachment_ids: ['not-a-uuid'] })).toBe(false);
  });

  it('refuses invalid JSON, non-objects and missing types as bad_request', () => {
    for (const text of ['{', '[]', '42', 'null', '{"type":5}']) {
      const result = parseClientFrame(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem.code).toBe('bad_request');
    }
  });

  it('echoes a usable ref and the client_id of a refused send_message', () => {
    const result = parseClientFrame(
      JSON.stringify({
        type: 'send_message',
        ref: 'r2',
        conversation_id: 'nope',
        client_id: uuid,
        body: 'x',
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      problem: { ref: 'r2', client_id: uuid, type: 'send_message' },
    });
  });

  it('does not echo a ref that is too long', () => {
    const result = parseClientFrame(JSON.stringify({ type: 'ping', ref: 'x'.repeat(65) }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.ref).toBeUndefined();
  });

  it('names an unknown frame type', () => {
    const result = parseClientFrame(JSON.stringify({ type: 'teleport', ref: 'a' }));
    expect(result).toMatchObject({ ok: false, problem: { ref: 'a' } });
    if (!result.ok) expect(result.problem.message).toContain('teleport');
  });
});

describe('body and reaction rules', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(bodyProblem('😀'.repeat(4000))).toBeNull();
    expect(bodyProblem('😀'.repeat(4001))).not.toBeNull();
    expect(bodyProblem(' \n\t\u00a0')).not.toBeNull();
    expect(bodyProblem('')).not.toBeNull();
  });

  it('takes one emoji grapheme, including skin tones, ZWJ sequences and flags', () => {
    for (const emoji of ['👍', '👍🏽', '👩‍👩‍👧‍👦', '🇫🇷', '❤️', '1️⃣']) expect(isSingleEmoji(emoji)).toBe(true);
    for (const other of ['👍👍', 'a', 'ab', '', '🇫']) expect(isSingleEmoji(other)).toBe(false);
    expect(isValidReaction('love')).toBe(true);
    expect(isValidReaction('hate')).toBe(false);
  });
});

describe('closeAction', () => {
  it('maps close codes to what a client should do', () => {
    expect(closeAction(1000)).toBe('stay_closed');
    expect(closeAction(4001)).toBe('refresh_token');
    expect(closeAction(4029)).toBe('reconnect_after_pause');
    expect(closeAction(1013)).toBe('reconnect');
    expect(closeAction(1006)).toBe('reconnect');
  });
});
