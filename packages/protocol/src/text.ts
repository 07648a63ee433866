import { MAX_BODY_CODE_POINTS, MAX_STREAM_BODY_CODE_POINTS } from './limits';

/** The six named tapbacks. */
export const TAPBACKS = ['love', 'like', 'dislike', 'laugh', 'emphasize', 'question'] as const;
export type Tapback = (typeof TAPBACKS)[number];

/** v2 (section 14): a streamed body may be empty or white space; at most 16,000 code points. */
export function streamBodyProblem(body: string): string | null {
  if (body.length <= MAX_STREAM_BODY_CODE_POINTS) return null;
  let codePoints = 0;
  for (const _ of body) {
    if (++codePoints > MAX_STREAM_BODY_CODE_POINTS) {
      return `a streamed body must be at most ${MAX_STREAM_BODY_CODE_POINTS} characters`;
    }
  }
  return null;
}

/** 1-4000 Unicode code points, not all white space. */
export function bodyProblem(body: string): string | null {
  let codePoints = 0;
  for (const _ of body) {
    codePoints++;
    if (codePoints > MAX_BODY_CODE_POINTS) {
      return `body must be at most ${MAX_BODY_CODE_POINTS} characters`;
    }
  }
  if (codePoints === 0) return 'body must not be empty';
  if (!/\S/u.test(body)) return 'body must not be only white space';
  return null;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const FLAG = /^\p{Regional_Indicator}{2}$/u;
const KEYCAP = /^[0-9#*]\uFE0F?\u20E3$/u;

/** One emoji: a single grapheme cluster (skin tones, ZWJ sequences and flags count as one). */
export function isSingleEmoji(value: string): boolean {
  if (value.length === 0 || value.length > 64) return false;
  const iterator = graphemes.segment(value)[Symbol.iterator]();
  const first = iterator.next();
  if (first.done || !iterator.next().done) return false;
  return PICTOGRAPHIC.test(value) || FLAG.test(value) || KEYCAP.test(value);
}

export function isValidReaction(value: string): boolean {
  return (TAPBACKS as readonly string[]).includes(value) || isSingleEmoji(value);
}
