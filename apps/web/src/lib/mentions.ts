/** Where "@Name" stands in a text, for the names a message mentions. */
export type MentionPart = { kind: 'text'; text: string } | { kind: 'mention'; text: string };

/** Splits `text` at every "@Name" of `names` (longest names first, so "@Ada L" beats "@Ada"). */
export function splitMentions(text: string, names: readonly string[]): MentionPart[] {
  const tokens = [...new Set(names.filter(Boolean))].sort((a, b) => b.length - a.length).map((n) => `@${n}`);
  const parts: MentionPart[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const token = text[i] === '@' ? tokens.find((t) => text.startsWith(t, i)) : undefined;
    if (token) {
      if (plain) parts.push({ kind: 'text', text: plain });
      parts.push({ kind: 'mention', text: token });
      plain = '';
      i += token.length;
    } else {
      plain += text[i];
      i++;
    }
  }
  if (plain || parts.length === 0) parts.push({ kind: 'text', text: plain });
  return parts;
}

/** The "@query" being typed just before the caret, if any (start of text or after white space). */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(?:^|\s)@([\p{L}\p{N}_.'-]*(?: [\p{L}\p{N}_.'-]*)?)$/u.exec(before);
  if (!match) return null;
  const query = match[1] ?? '';
  return { start: caret - query.length - 1, query };
}

/** The members a text still mentions: those whose "@Name" is in it. */
export function mentionedIds(text: string, members: readonly { user_id: string; display_name: string }[]) {
  return members.filter((m) => text.includes(`@${m.display_name}`)).map((m) => m.user_id);
}
