/** One run of message text: plain text, or a link that is safe to open. */
export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/**
 * Top-level domains that make a bare `name.tld` a link. Only well-known ones, and none that is
 * also a common file extension or English word ("notes.md", "photos.zip", "script.sh", "so.it"):
 * a false link is worse than a missing one. With `www.` in front any TLD will do.
 */
const BARE_TLDS = (
  'com org net edu gov mil int io dev app co info biz xyz tech online site page blog news shop ' +
  'store cloud uk de fr nl eu ca au ch se es dk fi nz ie pt jp kr cn ru br mx tv gg ly fm'
).split(' ');
/** Everything a URL runs on to: up to white space or an angle bracket/quote. */
const REST = '[^\\s<>"\'`]';
const LABEL = String.raw`[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?`;
/**
 * A bare domain: only where a word starts (after white space or an opening bracket or quote), never
 * inside an e-mail address or another scheme's URL ("ftp://example.com", "data:,example.com");
 * then an optional port and path.
 */
const BARE_DOMAIN = String.raw`(?<=^|[\s(\[{"'<])(?:www\.(?:${LABEL}\.)+[a-z]{2,24}|(?:${LABEL}\.)+(?:${BARE_TLDS.join('|')}))(?![\p{L}\p{N}_@-])(?::\d{1,5})?(?:[/?#]${REST}*)?`;
/** Candidate URLs: an explicit http(s) scheme and what follows it, or a bare domain. */
const URL_CANDIDATE = new RegExp(String.raw`\bhttps?:\/\/${REST}+|${BARE_DOMAIN}`, 'giu');
const HAS_SCHEME = /^https?:\/\//iu;
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
 * Splits message text into text and link segments. Only http and https URLs become links, and
 * bare domains ("www.example.com", "example.com/path"), opened as https; everything else stays
 * text, to be rendered as React text nodes (never as HTML).
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
    const explicit = HAS_SCHEME.test(url);
    const href = safeHref(explicit ? url : `https://${url}`);
    if (href === null || (explicit && url.length <= 'https://'.length)) continue;
    pushText(text.slice(cursor, start));
    segments.push({ kind: 'link', text: url, href });
    cursor = start + url.length;
  }
  pushText(text.slice(cursor));
  return segments;
}
