import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { jsonArrayBody } from '../../src/http/json-array-body';
import type { JsonPieces } from '../../src/storage/json-pieces';

/** `text` cut at the given code-point offsets, odd pieces as UTF-8 bytes, even ones as text. */
function piecesOf(text: string, cuts: readonly number[]): JsonPieces {
  const points = Array.from(text);
  const at = [...new Set(cuts.map((cut) => cut % (points.length + 1)))].sort((a, b) => a - b);
  const pieces: Array<Buffer | string> = [];
  let from = 0;
  for (const to of [...at, points.length]) {
    const piece = points.slice(from, to).join('');
    pieces.push(pieces.length % 2 ? Buffer.from(piece) : piece);
    from = to;
  }
  return pieces;
}

describe('jsonArrayBody', () => {
  test('is the JSON of {key: [values]} for any JSON values, however their pieces are cut', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.jsonValue(), fc.array(fc.nat(), { maxLength: 5 }))), (values) => {
        const body = jsonArrayBody(
          'conversations',
          values.map(([value, cuts]) => piecesOf(JSON.stringify(value), cuts)),
        );
        expect(JSON.parse(body.toString('utf8'))).toEqual({
          conversations: JSON.parse(JSON.stringify(values.map(([value]) => value))),
        });
      }),
    );
  });

  test('copies every byte, multi-byte characters whole', () => {
    const texts = ['{"title":"Café 😀"}', '"\u2028"', '[]'];
    const body = jsonArrayBody('conversations', [
      [Buffer.from('{"title":'), '"Café 😀"', Buffer.from('}')],
      ['"\u2028"'],
      [Buffer.from('[]')],
    ]);
    expect(body.toString('utf8')).toBe(`{"conversations":[${texts.join(',')}]}`);
    expect(body.length).toBe(Buffer.byteLength(body.toString('utf8')));
    expect(jsonArrayBody('conversations', []).toString('utf8')).toBe('{"conversations":[]}');
  });
});
