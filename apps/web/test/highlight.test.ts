import { describe, expect, it } from 'vitest';
import { highlightParts } from '../src/lib/highlight';

describe('highlightParts', () => {
  it('marks the code-point ranges, astral characters counted as one', () => {
    // "🍍" is two UTF-16 units but one code point: "pier" starts at code point 7.
    expect(highlightParts('🍍 the new pier', [[10, 14]])).toEqual([
      { text: '🍍 the new ', match: false },
      { text: 'pier', match: true },
    ]);
  });

  it('starts a long body shortly before its first match', () => {
    const body = `${'x'.repeat(100)} needle end`;
    const parts = highlightParts(body, [[101, 107]]);
    expect(parts[0]).toEqual({ text: '…', match: false });
    expect(parts.find((p) => p.match)?.text).toBe('needle');
  });

  it('ignores ranges outside the body and overlapping ones', () => {
    expect(
      highlightParts('ab cd', [
        [0, 2],
        [1, 2],
        [9, 12],
      ]),
    ).toEqual([
      { text: 'ab', match: true },
      { text: ' cd', match: false },
    ]);
  });
});
