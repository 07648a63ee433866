import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientFrame, ERROR_CODES, Ref, parseClientFrame } from '@chat/protocol';
import { CLIENT_FRAME_TYPES, frameTextArb, junk } from './frame-arbitraries';
import { fuzzSettings } from './fuzz-settings';

const pool = { known: [randomUUID(), randomUUID(), randomUUID()] };
const tokens = fc.oneof(fc.string({ maxLength: 40 }), junk);

const tally = { accepted: 0, refused: 0 };

/** What parseClientFrame promises for any text at all. */
function checkParse(text: string): void {
  const result = parseClientFrame(text);
  tally[result.ok ? 'accepted' : 'refused']++;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  // The parser agrees with the schema: accepted exactly when the union accepts it.
  expect(result.ok).toBe(value !== undefined && ClientFrame.safeParse(value).success);
  if (result.ok) {
    expect(CLIENT_FRAME_TYPES).toContain(result.frame.type);
    return;
  }
  const { problem } = result;
  expect(ERROR_CODES).toContain(problem.code);
  expect(problem.code).toBe('bad_request');
  expect(typeof problem.message).toBe('string');
  expect(problem.message.length).toBeGreaterThan(0);
  expect(problem.message.length).toBeLessThan(2000);
  if (problem.ref !== undefined) expect(Ref.safeParse(problem.ref).success).toBe(true);
  if (problem.client_id !== undefined) expect(problem.type).toBe('send_message');
  if (problem.type !== undefined) {
    expect(CLIENT_FRAME_TYPES).toContain(problem.type);
    expect(problem.message).toContain(problem.type);
  }
}

describe('fuzz: the frame parser (packages/protocol parseClientFrame)', () => {
  it('never throws, accepts exactly what the schemas accept, and gives every refusal a bad_request problem with a message', () => {
    fc.assert(
      fc.property(frameTextArb(pool, tokens), (text) => {
        checkParse(text);
      }),
      fuzzSettings('frame parser (frames)', 3000),
    );
    // Both sides of the parser were exercised, not just its first refusal.
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  });

  it('survives any string at all, of any unicode', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (text) => {
        checkParse(text);
      }),
      fuzzSettings('frame parser (any text)', 2000),
    );
  });

  it('survives any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        checkParse(JSON.stringify(value));
      }),
      fuzzSettings('frame parser (any JSON)', 2000),
    );
  });
});
