import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { jsonArrayBody } from '../../src/http/json-array-body';

describe('jsonArrayBody', () => {
  test('is the JSON of {key: [values]} for any JSON texts, multi-byte characters included', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), (values) => {
        const body = jsonArrayBody(
          'conversations',
          values.map((value) => Buffer.from(JSON.stringify(value))),
        );
        expect(JSON.parse(body.toString('utf8'))).toEqual({
          conversations: JSON.parse(JSON.stringify(values)),
        });
      }),
    );
  });

  test('copies every byte, multi-byte characters whole', () => {
    const texts = ['{"title":"Café 😀"}', '"\u2028"', '[]'];
    const body = jsonArrayBody(
      'conversations',
      texts.map((text) => Buffer.from(text)),
    );
    expect(body.toString('utf8')).toBe(`{"conversations":[${texts.join(',')}]}`);
    expect(body.length).toBe(Buffer.byteLength(body.toString('utf8')));
    expect(jsonArrayBody('conversations', []).toString('utf8')).toBe('{"conversations":[]}');
  });
});
