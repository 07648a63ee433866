/** Display names longer than this (in code points) are cut: they come from third-party tokens too. */
export const MAX_DISPLAY_NAME_LENGTH = 64;

/**
 * Characters a name must not carry: C0/C1 controls, bidi embeddings, overrides
 * and isolates (they reverse the text shown after a name, "Trojan Source"
 * style), bidi marks, and zero-width characters that make two names look alike.
 * U+200D (zero-width joiner) is kept between two emoji, where it is what makes
 * 👩‍💻 one picture.
 */
const UNWANTED =
  /[\p{Cc}\u061C\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|(?<!\p{Extended_Pictographic}\uFE0F?)\u200D|\u200D(?!\p{Extended_Pictographic})/gu;

/**
 * A display name as stored and shown: NFC, the characters above removed, runs
 * of white space made one space, trimmed, at most MAX_DISPLAY_NAME_LENGTH code
 * points. An empty result means there is no usable name.
 */
export function normalizeDisplayName(raw: string): string {
  // White space first (tabs and newlines are controls too), so "a\nb" keeps its gap.
  const cleaned = raw
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .replace(UNWANTED, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  return clip(cleaned).trim();
}

/**
 * The name a user goes by (docs/protocol.md section 2): `user_metadata.display_name`,
 * `full_name` or `name`, else the part of the e-mail before the @, else "User",
 * each normalised. Both the token verifier and the embedded sign-up use it, so
 * the two agree.
 */
export function displayNameOf(
  metadata: Record<string, unknown> | undefined,
  email: string | undefined,
): string {
  for (const key of ['display_name', 'full_name', 'name']) {
    const value = metadata?.[key];
    if (typeof value !== 'string') continue;
    const name = normalizeDisplayName(value);
    if (name !== '') return name;
  }
  const local = normalizeDisplayName(email?.split('@')[0] ?? '');
  return local !== '' ? local : 'User';
}

function clip(name: string): string {
  const points = Array.from(name);
  return points.length <= MAX_DISPLAY_NAME_LENGTH ? name : points.slice(0, MAX_DISPLAY_NAME_LENGTH).join('');
}
