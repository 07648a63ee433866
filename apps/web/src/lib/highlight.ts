export type HighlightPart = { text: string; match: boolean };

/** Characters of context kept before the first match of a long body. */
const LEAD = 24;

/**
 * A search result's body as parts to draw, the matched words marked. `matches` are `[start, end)`
 * CODE POINT ranges (section 12), so the body is cut by code points, not UTF-16 units. A long
 * body starts shortly before its first match, with "…".
 */
export function highlightParts(
  body: string,
  matches: readonly (readonly [number, number])[],
): HighlightPart[] {
  const points = Array.from(body);
  const ranges = [...matches]
    .map(([start, end]) => [Math.max(0, start), Math.min(points.length, end)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const first = ranges[0]?.[0] ?? 0;
  const from = first > LEAD * 2 ? first - LEAD : 0;
  const parts: HighlightPart[] = from > 0 ? [{ text: '…', match: false }] : [];
  let at = from;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    const s = Math.max(start, at);
    if (s > at) parts.push({ text: points.slice(at, s).join(''), match: false });
    parts.push({ text: points.slice(s, end).join(''), match: true });
    at = end;
  }
  if (at < points.length) parts.push({ text: points.slice(at).join(''), match: false });
  return parts;
}
