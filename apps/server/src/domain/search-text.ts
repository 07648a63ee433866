/**
 * Words as search sees them (docs/protocol.md section 12): a word is a run of
 * Unicode letters and digits, compared case- and accent-insensitively. Both
 * storage drivers index `searchText(body)` and check candidates with
 * `matchRanges`, so the rule is one piece of code whatever the engine.
 */

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}/gu;

/** Lower case without accents: "Café" and "CAFE" are the same word. */
export function foldWord(word: string): string {
  return word.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/** The folded words of a text, in order. */
export function searchWords(text: string): string[] {
  return [...text.matchAll(WORD)].map((match) => foldWord(match[0]));
}

/** What the index holds for a body: its folded words joined by spaces. */
export function searchText(body: string): string {
  return searchWords(body).join(' ');
}

export interface SearchTerms {
  /** Words that must each match a whole word. */
  whole: string[];
  /** The last word of the query, which may match the start of a word; null for none. */
  prefix: string | null;
}

/** The words of a query; null when it has none. */
export function searchTerms(query: string): SearchTerms | null {
  const words = searchWords(query);
  const prefix = words.pop();
  if (prefix === undefined) return null;
  return { whole: [...new Set(words)], prefix };
}

/**
 * The `[start, end)` code-point ranges of every word of `body` that matches a
 * term, or null when some term matches no word (the body is not a result).
 */
export function matchRanges(body: string, terms: SearchTerms): Array<[number, number]> | null {
  const ranges: Array<[number, number]> = [];
  const found = new Set<string>();
  let prefixFound = false;
  let codePoint = 0;
  let unit = 0;
  for (const match of body.matchAll(WORD)) {
    codePoint += [...body.slice(unit, match.index)].length;
    const length = [...match[0]].length;
    const word = foldWord(match[0]);
    const whole = terms.whole.includes(word);
    const prefix = terms.prefix !== null && word.startsWith(terms.prefix);
    if (whole) found.add(word);
    if (prefix) prefixFound = true;
    if (whole || prefix) ranges.push([codePoint, codePoint + length]);
    codePoint += length;
    unit = match.index + match[0].length;
  }
  const complete = terms.whole.every((word) => found.has(word)) && (terms.prefix === null || prefixFound);
  return complete ? ranges : null;
}
