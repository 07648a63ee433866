/** One run of message text: plain text, or a link that is safe to open. */
export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/** Candidate URLs: an explicit http(s) scheme, then anything up to white space or an angle bracket/quote. */
const URL_CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/giu;
/** Punctuation that ends a sentence rather than a URL. */
const TRAILING_PUNCTUATION = /[.,;:!?*~]+$/u;
const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}

/** Drops trailing punctuation and closing brackets that have no opening partner inside the URL. */
function trimCandidate(candidate: string): string {
  let url = candidate;
  for (;;) {
    const before = url;
    url = url.replace(TRAILING_PUNCTUATION, '');
    const last = url.at(-1);
    if (last !== undefined && last in PAIRS && count(url, last) > count(url, PAIRS[last] ?? '')) {
      url = url.slice(0, -1);
    }
    if (url === before) return url;
  }
}

/** The normalized href when `text` is an absolute http(s) URL with a host, else null. */
export function safeHref(text: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.hostname === '') return null;
  return parsed.href;
}

/**
 * Splits message text into text and link segments. Only http and https URLs become links;
 * everything else stays text, to be rendered as React text nodes (never as HTML).
 */
export function linkify(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let cursor = 0;
  const pushText = (value: string) => {
    if (value === '') return;
    const previous = segments.at(-1);
    if (previous?.kind === 'text') previous.text += value;
    else segments.push({ kind: 'text', text: value });
  };
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const start = match.index;
    const url = trimCandidate(match[0]);
    const href = safeHref(url);
    if (href === null || url.length <= 'https://'.length) continue;
    pushText(text.slice(cursor, start));
    segments.push({ kind: 'link', text: url, href });
    cursor = start + url.length;
  }
  pushText(text.slice(cursor));
  return segments;
}
